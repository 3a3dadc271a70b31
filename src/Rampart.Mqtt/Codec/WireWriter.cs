using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Rampart.Mqtt.Codec;

/// <summary>Writes MQTT data types (§1.5) into a buffer writer.</summary>
internal static class WireWriter
{
    public static void Byte(IBufferWriter<byte> writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }

    public static void UInt16(IBufferWriter<byte> writer, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(writer.GetSpan(2), value);
        writer.Advance(2);
    }

    public static void UInt32(IBufferWriter<byte> writer, uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    public static void VariableByteInteger(IBufferWriter<byte> writer, uint value)
    {
        if (value > 268_435_455)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "a variable byte integer holds at most 268,435,455");
        }

        var span = writer.GetSpan(4);
        var count = 0;
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            span[count++] = value > 0 ? (byte)(b | 0x80) : b;
        }
        while (value > 0);
        writer.Advance(count);
    }

    public static int VariableByteIntegerSize(uint value) => value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;

    public static void String(IBufferWriter<byte> writer, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        if (length > ushort.MaxValue)
        {
            throw new ArgumentException($"a UTF-8 string holds at most 65,535 bytes, not {length}", nameof(value));
        }

        UInt16(writer, (ushort)length);
        var span = writer.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        writer.Advance(length);
    }

    public static void Binary(IBufferWriter<byte> writer, ReadOnlySpan<byte> value)
    {
        if (value.Length > ushort.MaxValue)
        {
            throw new ArgumentException($"binary data holds at most 65,535 bytes, not {value.Length}", nameof(value));
        }

        UInt16(writer, (ushort)value.Length);
        Raw(writer, value);
    }

    public static void Raw(IBufferWriter<byte> writer, ReadOnlySpan<byte> value)
    {
        value.CopyTo(writer.GetSpan(value.Length));
        writer.Advance(value.Length);
    }
}
