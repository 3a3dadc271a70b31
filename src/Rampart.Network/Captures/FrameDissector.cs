using System.Net.NetworkInformation;
using System.Text;
using PacketDotNet;
using Rampart.Network.Flows;

namespace Rampart.Network.Captures;

/// <summary>
/// Turns one captured frame into what its flow needs (addresses, ports, protocol, TCP flags, the
/// source MAC, a clear-text HTTP Basic credential), with PacketDotNet. Frames of link types it does
/// not know, frames that are not IP, and frames PacketDotNet cannot dissect (cut short by the
/// snapshot length, corrupt) are counted by the caller, not fatal: a capture of a real network has them.
/// </summary>
public static class FrameDissector
{
    // RFC 7617 §2: "Authorization: Basic <base64>" (header names are case-insensitive, RFC 9110 §5.1).
    private static readonly byte[] BasicAuthorization = Encoding.ASCII.GetBytes("\nauthorization: basic ");

    /// <summary>The link types a capture may use (tcpdump.org LINKTYPE_ values): Ethernet, BSD loopback, raw IP, Linux cooked (v1 and v2).</summary>
    public static bool Knows(int linkType) => linkType is 0 or 1 or 12 or 14 or 101 or 108 or 113 or 228 or 229 or 276;

    public static bool TryDissect(in CapturedFrame frame, out PacketFacts facts)
    {
        facts = default;
        if (!Knows(frame.LinkType))
        {
            return false;
        }

        // LINKTYPE 14 is OpenBSD's raw IP: the same as 101 to a dissector.
        var layer = frame.LinkType switch { 14 => LinkLayers.Raw, var other => (LinkLayers)other };
        Packet packet;
        try
        {
            packet = Packet.ParsePacket(layer, frame.Data.ToArray());
        }
        catch (Exception exception) when (exception is ArgumentException or IndexOutOfRangeException or InvalidOperationException or NotImplementedException or OverflowException)
        {
            return false;
        }

        try
        {
            if (packet.Extract<IPPacket>() is not { } ip)
            {
                return false;
            }

            PhysicalAddress? mac = packet is EthernetPacket ethernet ? ethernet.SourceHardwareAddress : null;
            if (mac is not null && mac.GetAddressBytes().All(b => b == 0))
            {
                mac = null; // the loopback interface's frames carry 00:00:00:00:00:00
            }

            var protocol = (byte)ip.Protocol;
            ushort sourcePort = 0, destinationPort = 0;
            byte flags = 0;
            var basicAuth = false;
            if (ip.Extract<TcpPacket>() is { } tcp)
            {
                sourcePort = tcp.SourcePort;
                destinationPort = tcp.DestinationPort;
                flags = (byte)(tcp.Flags & 0xFF);
                basicAuth = tcp.HasPayloadData && tcp.PayloadDataSegment is { } payload
                    && HasBasicCredential(payload.Bytes.AsSpan(payload.Offset, Math.Min(payload.Length, payload.Bytes.Length - payload.Offset)));
            }
            else if (ip.Extract<UdpPacket>() is { } udp)
            {
                sourcePort = udp.SourcePort;
                destinationPort = udp.DestinationPort;
            }

            facts = new PacketFacts(ip.SourceAddress, ip.DestinationAddress, sourcePort, destinationPort, protocol, frame.WireLength, flags, basicAuth, mac);
            return true;
        }
        catch (Exception exception) when (exception is ArgumentException or IndexOutOfRangeException or InvalidOperationException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>True when an HTTP request head carries a Basic credential (looked for in the first 8 KiB only).</summary>
    internal static bool HasBasicCredential(ReadOnlySpan<byte> payload)
    {
        var head = payload[..Math.Min(payload.Length, 8192)];
        if (head.Length < 16 || !head.StartsWith("GET "u8) && !head.StartsWith("POST "u8) && !head.StartsWith("PUT "u8) && !head.StartsWith("HEAD "u8) && !head.StartsWith("DELETE "u8))
        {
            return false;
        }

        Span<byte> lower = stackalloc byte[head.Length <= 1024 ? head.Length : 0];
        var text = lower.Length == head.Length ? lower : new byte[head.Length];
        for (var i = 0; i < head.Length; i++)
        {
            var b = head[i];
            text[i] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;
        }

        return text.IndexOf(BasicAuthorization) >= 0;
    }
}
