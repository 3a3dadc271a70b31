using System.Net;
using Rampart.Fleet.Monitoring;
using Rampart.Network.Flows;
using Rampart.Network.Inventory;
using Rampart.Posture.Zones;

namespace Rampart.Network.Analysis;

/// <summary>What the judge knows of the fleet: which address is which registered device, each device's effective zone, the zones.</summary>
/// <param name="DeviceAddresses">Address → device id (the addresses the gateway saw each device connect from).</param>
/// <param name="DeviceZones">Device id → its effective zone (the confined zone while confined), null when it has none.</param>
public sealed record FleetView(IReadOnlyDictionary<string, string> DeviceAddresses, IReadOnlyDictionary<string, string?> DeviceZones, ZonePolicy Zones);

/// <summary>
/// Turns flows into the passive inventory and its findings (issue 21 item 5), in steps:
/// 1. each flow's server side (the destination of a SYN, else the side on a known service port, else
///    the lower port) records an open port and the protocol it names;
/// 2. a flow to an insecure protocol's port is a finding about both ends that are registered devices,
///    or about the server's address (Modbus only when the client is outside the server's zone, HTTP only
///    with a Basic credential seen in a capture);
/// 3. a registered device in a zone with a destination policy (a restricted zone, or one named in
///    <see cref="NetworkOptions.ZoneDestinations"/>) that reached an address outside its zone's
///    networks and allowed destinations is a zone violation.
/// Hosts outside the device networks (the internet, the node's peers) are not inventoried.
/// </summary>
public sealed class NetworkJudge
{
    private readonly IPNetwork[] _deviceNetworks;
    private readonly IPNetwork[] _knownHosts;
    private readonly Dictionary<string, IPNetwork[]> _zoneNetworks;
    private readonly Dictionary<string, IPNetwork[]> _zoneDestinations;
    private readonly OuiRegistry _vendors;

    public NetworkJudge(NetworkOptions options, ZonePolicy zones, OuiRegistry vendors)
    {
        _zoneNetworks = zones.Zones.ToDictionary(z => z.Key, z => z.Value.Networks.Select(ZoneNetworks.Parse).ToArray(), StringComparer.Ordinal);
        _deviceNetworks = options.DeviceNetworks.Select(ZoneNetworks.Parse).Concat(_zoneNetworks.Values.SelectMany(n => n)).ToArray();
        _knownHosts = options.KnownHosts.Select(ZoneNetworks.Parse).ToArray();
        _zoneDestinations = options.ZoneDestinations.ToDictionary(z => z.Key, z => z.Value.Select(ZoneNetworks.Parse).ToArray(), StringComparer.Ordinal);
        _vendors = vendors;
    }

    public bool IsInventoried(IPAddress address) => In(_deviceNetworks, address) && !In(_knownHosts, address);

    public Judgement Judge(IReadOnlyList<FlowRecord> flows, FleetView fleet)
    {
        var hosts = new Dictionary<string, HostBuilder>(StringComparer.Ordinal);
        var findings = new Dictionary<(string Kind, string Subject, string What), NetworkFinding>();
        foreach (var flow in flows)
        {
            var source = flow.Source.ToString();
            var destination = flow.Destination.ToString();
            var serverIsDestination = ServerIsDestination(flow);
            var (server, serverPort, client) = serverIsDestination ? (flow.Destination, flow.DestinationPort, flow.Source) : (flow.Source, flow.SourcePort, flow.Destination);
            var service = InsecureProtocols.Of(flow.Protocol, serverPort);

            if (IsInventoried(flow.Source))
            {
                var host = Host(hosts, source, fleet);
                host.Flows++;
                host.Bytes += flow.Bytes;
                host.Seen(flow.First, flow.Last);
                host.Mac ??= flow.SourceMac;
            }

            if (IsInventoried(flow.Destination))
            {
                Host(hosts, destination, fleet).Seen(flow.First, flow.Last);
            }

            if (IsInventoried(server))
            {
                var host = Host(hosts, server.ToString(), fleet);
                if (flow.Protocol is FlowRecord.Tcp or FlowRecord.Udp && serverPort != 0)
                {
                    host.Ports.Add($"{flow.Transport}/{serverPort}");
                }

                if (service is not null)
                {
                    host.Protocols.Add(service.Name);
                }
            }

            if (service?.Insecurity is not null && Applies(service, flow, server, client, fleet))
            {
                if (IsInventoried(server))
                {
                    Host(hosts, server.ToString(), fleet).Insecure.Add(service.Name);
                }

                Insecure(findings, service, server, serverPort, client, fleet);
            }

            if (fleet.DeviceAddresses.TryGetValue(source, out var deviceId) && !In(_knownHosts, flow.Destination))
            {
                Zone(findings, deviceId, flow, fleet);
            }
        }

        return new Judgement(hosts.Values.Select(h => h.Build(_vendors)).ToArray(), findings.Values.ToArray());
    }

    // The server side: the destination of a connection opening (SYN), else the side on a service port we know, else the lower port.
    private static bool ServerIsDestination(FlowRecord flow)
    {
        if (flow.OpensConnection)
        {
            return true;
        }

        var destinationKnown = InsecureProtocols.Of(flow.Protocol, flow.DestinationPort) is not null;
        var sourceKnown = InsecureProtocols.Of(flow.Protocol, flow.SourcePort) is not null;
        return destinationKnown != sourceKnown ? destinationKnown : flow.DestinationPort <= flow.SourcePort;
    }

    private bool Applies(ServiceProtocol service, FlowRecord flow, IPAddress server, IPAddress client, FleetView fleet)
    {
        if (service.OnlyWithBasicAuth)
        {
            return flow.BasicAuth;
        }

        if (service.OnlyAcrossZones)
        {
            // Modbus/TCP inside its zone is expected; from anywhere else it is reachable by whoever reaches the network.
            var zone = ZoneOf(server, fleet);
            return zone is null || !_zoneNetworks.TryGetValue(zone, out var networks) || !In(networks, client);
        }

        return true;
    }

    private string? ZoneOf(IPAddress address, FleetView fleet)
    {
        if (fleet.DeviceAddresses.TryGetValue(address.ToString(), out var device) && fleet.DeviceZones.TryGetValue(device, out var zone) && zone is not null)
        {
            return zone;
        }

        return _zoneNetworks.FirstOrDefault(z => In(z.Value, address)).Key;
    }

    private static void Insecure(Dictionary<(string, string, string), NetworkFinding> findings, ServiceProtocol service, IPAddress server, ushort port, IPAddress client, FleetView fleet)
    {
        var details = new Dictionary<string, string>
        {
            ["protocol"] = service.Name,
            ["server"] = $"{server}:{port}",
            ["client"] = client.ToString(),
            ["reason"] = service.Insecurity!,
        };
        var deviceIds = new[] { server, client }.Select(a => fleet.DeviceAddresses.GetValueOrDefault(a.ToString())).OfType<string>().Distinct().ToArray();
        foreach (var deviceId in deviceIds)
        {
            findings.TryAdd((NetworkFinding.InsecureProtocol, deviceId, service.Name), new NetworkFinding(NetworkFinding.InsecureProtocol, SecuritySeverity.High, deviceId, server.ToString(),
                $"device {deviceId} speaks {service.Name} in the clear ({server}:{port} ← {client})", details));
        }

        if (deviceIds.Length == 0)
        {
            findings.TryAdd((NetworkFinding.InsecureProtocol, server.ToString(), service.Name), new NetworkFinding(NetworkFinding.InsecureProtocol, SecuritySeverity.High, null, server.ToString(),
                $"{server}:{port} serves {service.Name} in the clear to {client}", details));
        }
    }

    private void Zone(Dictionary<(string, string, string), NetworkFinding> findings, string deviceId, FlowRecord flow, FleetView fleet)
    {
        if (!fleet.DeviceZones.TryGetValue(deviceId, out var zone) || zone is null || !fleet.Zones.Zones.TryGetValue(zone, out var rule))
        {
            return;
        }

        var allowed = _zoneDestinations.GetValueOrDefault(zone);
        if (!rule.Restricted && allowed is null)
        {
            return; // the zone says nothing about where its devices may go
        }

        var destination = flow.Destination;
        if (In(_zoneNetworks.GetValueOrDefault(zone) ?? [], destination) || allowed is not null && In(allowed, destination))
        {
            return;
        }

        var target = $"{destination}:{flow.DestinationPort}";
        findings.TryAdd((NetworkFinding.ZoneViolation, deviceId, target), new NetworkFinding(NetworkFinding.ZoneViolation, SecuritySeverity.High, deviceId, flow.Source.ToString(),
            $"device {deviceId} in zone {zone} reached {target}/{flow.Transport}, which its zone does not allow",
            new Dictionary<string, string> { ["zone"] = zone, ["destination"] = target, ["transport"] = flow.Transport, ["packets"] = flow.Packets.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
    }

    private static HostBuilder Host(Dictionary<string, HostBuilder> hosts, string address, FleetView fleet)
    {
        if (!hosts.TryGetValue(address, out var host))
        {
            host = new HostBuilder(address, fleet.DeviceAddresses.GetValueOrDefault(address));
            hosts[address] = host;
        }

        return host;
    }

    private static bool In(IPNetwork[] networks, IPAddress address)
    {
        var mapped = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in networks)
        {
            if (network.Contains(mapped))
            {
                return true;
            }
        }

        return false;
    }

    private sealed class HostBuilder(string address, string? deviceId)
    {
        public System.Net.NetworkInformation.PhysicalAddress? Mac;
        public long Flows;
        public long Bytes;
        public DateTimeOffset First = DateTimeOffset.MaxValue;
        public DateTimeOffset Last = DateTimeOffset.MinValue;
        public readonly HashSet<string> Ports = new(StringComparer.Ordinal);
        public readonly HashSet<string> Protocols = new(StringComparer.Ordinal);
        public readonly HashSet<string> Insecure = new(StringComparer.Ordinal);

        public void Seen(DateTimeOffset first, DateTimeOffset last)
        {
            First = first < First ? first : First;
            Last = last > Last ? last : Last;
        }

        public NetworkHost Build(OuiRegistry vendors) => new(
            address, Mac is null ? null : NetworkBinding.Print(Mac),
            vendors.VendorOf(Mac), deviceId, First, Last, Flows, Bytes,
            NetworkHost.Union(Ports, []), NetworkHost.Union(Protocols, []), NetworkHost.Union(Insecure, []));
    }
}

/// <summary>The hosts one batch of flows showed and what was found.</summary>
public sealed record Judgement(IReadOnlyList<NetworkHost> Hosts, IReadOnlyList<NetworkFinding> Findings);
