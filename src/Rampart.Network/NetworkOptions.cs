using System.Net;
using Rampart.Posture.Zones;

namespace Rampart.Network;

/// <summary>Network visibility (<c>Rampart:Network</c>; docs/network-visibility.md).</summary>
public sealed class NetworkOptions
{
    /// <summary>
    /// Where the live IPFIX / NetFlow v9 collector listens (UDP, <c>ADDR:PORT</c>); empty (the default): no
    /// collector. Flow export is unauthenticated UDP, so only <see cref="Exporters"/> are heard.
    /// </summary>
    public string? IpfixCollector { get; set; }

    /// <summary>Exporter addresses (or CIDR blocks) the collector accepts datagrams from; default loopback only.</summary>
    public List<string> Exporters { get; set; } = ["127.0.0.1", "::1"];

    /// <summary>The networks whose hosts are inventoried (devices live here); the zones' networks are added. Default: RFC 1918, RFC 4193, link-local.</summary>
    public List<string> DeviceNetworks { get; set; } = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10", "169.254.0.0/16"];

    /// <summary>Infrastructure hosts that are known but are not devices (routers, this node): never reported unknown, never judged.</summary>
    public List<string> KnownHosts { get; set; } = [];

    /// <summary>Per zone: destinations (addresses or CIDR blocks) its devices may reach beyond the zone's own networks.</summary>
    public Dictionary<string, List<string>> ZoneDestinations { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Largest pcap/pcapng upload, in bytes.</summary>
    public long MaxCaptureBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Distinct flows kept from one capture (further flows' packets are counted and dropped).</summary>
    public int MaxFlowsPerImport { get; set; } = 1_000_000;

    /// <summary>Security events raised per import or collector batch; more are counted, not raised (no flood).</summary>
    public int MaxEventsPerBatch { get; set; } = 500;

    /// <summary>Flow records the collector queues before it drops (counted).</summary>
    public int CollectorQueue { get; set; } = 65_536;

    /// <summary>Datagrams per second heard from one exporter (beyond: dropped and counted).</summary>
    public int DatagramsPerSecondPerExporter { get; set; } = 20_000;

    /// <summary>How often the collector's queued flows are judged and stored.</summary>
    public TimeSpan CollectorFlushInterval { get; set; } = TimeSpan.FromSeconds(2);

    public IEnumerable<string> Problems()
    {
        if (!string.IsNullOrEmpty(IpfixCollector) && !IPEndPoint.TryParse(IpfixCollector, out _))
        {
            yield return $"Network:IpfixCollector '{IpfixCollector}' is not ADDR:PORT";
        }

        foreach (var (name, list) in new[] { ("Exporters", Exporters), ("DeviceNetworks", DeviceNetworks), ("KnownHosts", KnownHosts) }.Concat(ZoneDestinations.Select(z => ("ZoneDestinations:" + z.Key, z.Value))))
        {
            foreach (var entry in list.Where(e => !ZoneNetworks.TryParse(e, out _)))
            {
                yield return $"Network:{name}: '{entry}' is not an address or CIDR block";
            }
        }

        if (MaxCaptureBytes < 1024 || MaxFlowsPerImport < 1 || MaxEventsPerBatch < 1 || CollectorQueue < 1 || DatagramsPerSecondPerExporter < 1)
        {
            yield return "Network: MaxCaptureBytes (≥ 1024), MaxFlowsPerImport, MaxEventsPerBatch, CollectorQueue and DatagramsPerSecondPerExporter must be positive";
        }

        if (CollectorFlushInterval < TimeSpan.FromMilliseconds(10))
        {
            yield return "Network:CollectorFlushInterval must be at least 10 ms";
        }
    }
}
