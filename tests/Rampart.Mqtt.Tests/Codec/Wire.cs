using System.Buffers;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Tests.Codec;

/// <summary>Encode and decode helpers for tests.</summary>
internal static class Wire
{
    public static byte[] Encode(MqttPacket packet, MqttProtocolVersion version)
    {
        using var encoder = new MqttEncoder();
        var output = new ArrayBufferWriter<byte>();
        var written = encoder.Encode(packet, version, output);
        Assert.Equal(output.WrittenCount, written);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    /// <summary>A decoder that has seen CONNECT for <paramref name="version"/>.</summary>
    public static MqttDecoder Connected(MqttProtocolVersion version, uint maximumPacketSize = 1024 * 1024) =>
        new(maximumPacketSize) { Version = version };

    public static (MqttDecodeStatus Status, MqttPacket? Packet, MqttDecodeError Error, long Consumed) Decode(MqttDecoder decoder, byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        var status = decoder.TryDecode(buffer, out var packet, out var consumed, out var error);
        return (status, packet, error, buffer.Slice(0, consumed).Length);
    }
}
