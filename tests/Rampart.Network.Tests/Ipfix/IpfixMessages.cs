using System.Buffers.Binary;

namespace Rampart.Network.Tests.Ipfix;

/// <summary>IPFIX messages crafted per RFC 7011 §3 (header §3.1, set header §3.3.2, template record §3.4.1) for malformed-input tests.</summary>
internal static class IpfixMessages
{
    // Template 256: sourceIPv4Address(8)/4, destinationIPv4Address(12)/4, sourceTransportPort(7)/2, destinationTransportPort(11)/2,
    // protocolIdentifier(4)/1, packetDeltaCount(2)/8, octetDeltaCount(1)/8; then one data record of 29 bytes.
    public static byte[] TemplateAndRecord()
    {
        var message = new byte[16 + 4 + 4 + 7 * 4 + 4 + 29];
        var span = message.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, 10);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)message.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], 1_700_000_000);
        var set = span[16..];
        BinaryPrimitives.WriteUInt16BigEndian(set, 2);
        BinaryPrimitives.WriteUInt16BigEndian(set[2..], 4 + 4 + 28);
        BinaryPrimitives.WriteUInt16BigEndian(set[4..], 256);
        BinaryPrimitives.WriteUInt16BigEndian(set[6..], 7);
        ushort[] fields = [8, 4, 12, 4, 7, 2, 11, 2, 4, 1, 2, 8, 1, 8];
        for (var i = 0; i < fields.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(set[(8 + i * 2)..], fields[i]);
        }

        var data = span[(16 + 36)..];
        BinaryPrimitives.WriteUInt16BigEndian(data, 256);
        BinaryPrimitives.WriteUInt16BigEndian(data[2..], 4 + 29);
        byte[] record = [10, 0, 0, 5, 10, 0, 0, 1, 0xC0, 0x00, 0x00, 23, 6, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 180];
        record.CopyTo(data[4..]);
        return message;
    }
}
