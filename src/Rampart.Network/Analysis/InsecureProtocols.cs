using Rampart.Network.Flows;

namespace Rampart.Network.Analysis;

/// <summary>A service a flow reached, named by its well-known port (IANA service names), and why it is insecure if it is.</summary>
public sealed record ServiceProtocol(string Name, byte Transport, ushort Port, string? Insecurity, bool OnlyAcrossZones = false, bool OnlyWithBasicAuth = false);

/// <summary>
/// The protocols the passive inventory names, and the insecure ones it flags (issue 21 item 5): telnet,
/// FTP, plain MQTT on 1883, plain HTTP carrying a Basic credential, UPnP (SSDP), Modbus/TCP reached from
/// outside its zone, and TFTP. Ports are IANA's; a service on another port is not recognised (flow
/// records carry no payload to tell).
/// </summary>
public static class InsecureProtocols
{
    public static IReadOnlyList<ServiceProtocol> Known { get; } =
    [
        new("telnet", FlowRecord.Tcp, 23, "telnet sends credentials and sessions in the clear (RFC 854)"),
        new("ftp", FlowRecord.Tcp, 21, "FTP sends credentials in the clear (RFC 959)"),
        new("tftp", FlowRecord.Udp, 69, "TFTP has no authentication (RFC 1350)"),
        new("mqtt", FlowRecord.Tcp, 1883, "plain MQTT: no TLS, credentials and payloads in the clear (MQTT 5.0 §5.4.9: use TLS)"),
        new("http", FlowRecord.Tcp, 80, "HTTP Basic credential sent in the clear (RFC 7617 §4)", OnlyWithBasicAuth: true),
        new("http-alt", FlowRecord.Tcp, 8080, "HTTP Basic credential sent in the clear (RFC 7617 §4)", OnlyWithBasicAuth: true),
        new("upnp", FlowRecord.Udp, 1900, "UPnP/SSDP discovery: unauthenticated, often exposes port mapping (UPnP Device Architecture 2.0 §1)"),
        new("modbus", FlowRecord.Tcp, 502, "Modbus/TCP has no authentication; reached from outside its zone", OnlyAcrossZones: true),
        new("https", FlowRecord.Tcp, 443, null),
        new("mqtts", FlowRecord.Tcp, 8883, null),
        new("ssh", FlowRecord.Tcp, 22, null),
        new("dns", FlowRecord.Udp, 53, null),
        new("coaps", FlowRecord.Udp, 5684, null),
        new("coap", FlowRecord.Udp, 5683, "plain CoAP: no DTLS (RFC 7252 §9)"),
    ];

    private static readonly Dictionary<(byte, ushort), ServiceProtocol> ByPort = Known.ToDictionary(p => (p.Transport, p.Port));

    public static ServiceProtocol? Of(byte transport, ushort port) => ByPort.GetValueOrDefault((transport, port));
}
