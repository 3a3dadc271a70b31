using System.Net;
using System.Net.NetworkInformation;

namespace Rampart.Network.Flows;

/// <summary>
/// One unidirectional flow, from a capture or an exporter: who talked to whom on which transport
/// ports, how much, when. <see cref="TcpFlags"/> is the OR of the flow's TCP flags (RFC 7012
/// tcpControlBits); <see cref="BasicAuth"/> is true when a packet carried an HTTP Basic credential
/// in the clear (captures only: flow exports carry no payload).
/// </summary>
public sealed record FlowRecord(
    IPAddress Source,
    IPAddress Destination,
    ushort SourcePort,
    ushort DestinationPort,
    byte Protocol,
    long Packets,
    long Bytes,
    DateTimeOffset First,
    DateTimeOffset Last,
    PhysicalAddress? SourceMac = null,
    byte TcpFlags = 0,
    bool BasicAuth = false)
{
    public const byte Tcp = 6;
    public const byte Udp = 17;

    /// <summary>TCP SYN without ACK: the flow opened a connection, so its destination listens.</summary>
    public bool OpensConnection => Protocol == Tcp && (TcpFlags & 0x12) == 0x02;

    public string Transport => Protocol switch { Tcp => "tcp", Udp => "udp", 1 => "icmp", 58 => "icmpv6", _ => "ip" + Protocol };
}
