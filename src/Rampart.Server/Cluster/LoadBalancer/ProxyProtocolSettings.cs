using System.Net;
using Microsoft.Extensions.Configuration;
using Rampart.Server.Hosting;

namespace Rampart.Server.Cluster.LoadBalancer;

/// <summary>
/// Which peers are load balancers that send the PROXY protocol v2 header
/// (<c>Rampart:Cluster:ProxyProtocolFrom</c>, comma-separated addresses or CIDR networks). A
/// connection from one of them must start with a valid header (HAProxy's spec §2: the receiver never
/// guesses whether a header is present); a connection from anywhere else is served as it is, so
/// the header cannot be forged by a device that reaches the node directly.
/// </summary>
public sealed record ProxyProtocolSettings(IReadOnlyList<IPNetwork> TrustedProxies)
{
    /// <summary>Time a trusted proxy has to send the whole header.</summary>
    public static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Reads the setting; null when it is unset (no PROXY protocol on any listener).</summary>
    public static ProxyProtocolSettings? From(IConfiguration configuration)
    {
        var value = configuration[ClusterOptions.Section + ":" + nameof(ClusterOptions.ProxyProtocolFrom)];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var networks = new List<IPNetwork>();
        foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(item, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(item, out var address))
            {
                networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new NodeStartupException($"invalid settings: {ClusterOptions.Section}:{nameof(ClusterOptions.ProxyProtocolFrom)}: '{item}' is neither an IP address nor a network (10.0.0.0/24)");
            }
        }

        return new ProxyProtocolSettings(networks);
    }

    /// <summary>True when <paramref name="peer"/> is one of the trusted proxies (IPv4-mapped IPv6 addresses compare as IPv4).</summary>
    public bool IsTrusted(IPAddress peer)
    {
        var address = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer;
        return TrustedProxies.Any(network => network.Contains(address));
    }
}
