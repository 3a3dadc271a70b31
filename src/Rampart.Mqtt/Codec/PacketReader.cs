using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Rampart.Mqtt.Codec;

/// <summary>Reads MQTT data types (§1.5) from exactly one packet's bytes; every shortfall is a malformed packet.</summary>
internal ref struct PacketReader(ReadOnlySequence<byte> body)
{
    private SequenceReader<byte> _reader = new(body);

    public readonly long Remaining => _reader.Remaining;

    public readonly bool End => _reader.End;

    public readonly ReadOnlySequence<byte> Rest => _reader.UnreadSequence;

    public byte ReadByte(string what) =>
        _reader.TryRead(out var value) ? value : throw MalformedPacketException.Malformed($"packet ends before {what}");

    public ushort ReadUInt16(string what) =>
        _reader.TryReadBigEndian(out short value) ? (ushort)value : throw MalformedPacketException.Malformed($"packet ends before {what}");

    public uint ReadUInt32(string what) =>
        _reader.TryReadBigEndian(out int value) ? (uint)value : throw MalformedPacketException.Malformed($"packet ends before {what}");

    /// <summary>§1.5.5: at most four bytes, minimal encoding not required by the spec but values above 268,435,455 are impossible.</summary>
    public uint ReadVariableByteInteger(string what)
    {
        uint value = 0;
        for (var i = 0; i < 4; i++)
        {
            var b = ReadByte(what);
            value |= (uint)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw MalformedPacketException.Malformed($"{what}: variable byte integer longer than 4 bytes");
    }

    /// <summary>§1.5.4: length-prefixed, well-formed UTF-8, no U+0000.</summary>
    public string ReadString(string what)
    {
        var bytes = ReadBinarySpan(what, out var rented);
        try
        {
            if (!Utf8.IsValid(bytes))
            {
                throw MalformedPacketException.Malformed($"{what} is not well-formed UTF-8");
            }

            if (bytes.IndexOf((byte)0) >= 0)
            {
                throw MalformedPacketException.Malformed($"{what} contains U+0000");
            }

            return Encoding.UTF8.GetString(bytes);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>§1.5.6: two-byte length, then that many bytes (copied out of the input buffer).</summary>
    public byte[] ReadBinary(string what)
    {
        var bytes = ReadBinarySpan(what, out var rented);
        var copy = bytes.ToArray();
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return copy;
    }

    public byte[] ReadRest()
    {
        var rest = _reader.UnreadSequence.ToArray();
        _reader.AdvanceToEnd();
        return rest;
    }

    public ReadOnlySequence<byte> ReadSlice(long length, string what)
    {
        if (_reader.Remaining < length)
        {
            throw MalformedPacketException.Malformed($"packet ends inside {what}");
        }

        var slice = _reader.UnreadSequence.Slice(0, length);
        _reader.Advance(length);
        return slice;
    }

    private ReadOnlySpan<byte> ReadBinarySpan(string what, out byte[]? rented)
    {
        var length = ReadUInt16($"the length of {what}");
        rented = null;
        if (_reader.Remaining < length)
        {
            throw MalformedPacketException.Malformed($"packet ends inside {what}");
        }

        if (_reader.UnreadSpan.Length >= length)
        {
            var span = _reader.UnreadSpan[..length];
            _reader.Advance(length);
            return span;
        }

        rented = ArrayPool<byte>.Shared.Rent(length);
        _reader.TryCopyTo(rented.AsSpan(0, length));
        _reader.Advance(length);
        return rented.AsSpan(0, length);
    }
}
