using System.Buffers;
using System.Globalization;
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

    /// <summary>As <see cref="ReadUInt16(string)"/>, the description composed only on failure (this runs for every PUBLISH).</summary>
    public ushort ReadUInt16(string format, string argument) =>
        _reader.TryReadBigEndian(out short value) ? (ushort)value : throw MalformedPacketException.Malformed("packet ends before " + Describe(format, argument));

    public uint ReadUInt32(string what) =>
        _reader.TryReadBigEndian(out int value) ? (uint)value : throw MalformedPacketException.Malformed($"packet ends before {what}");

    /// <summary>§1.5.5: at most four bytes, minimal encoding not required by the spec but values above 268,435,455 are impossible.</summary>
    public uint ReadVariableByteInteger(string what) => ReadVariableByteInteger("{0}", what);

    /// <summary>As <see cref="ReadVariableByteInteger(string)"/>, the description composed only on failure.</summary>
    public uint ReadVariableByteInteger(string format, string argument)
    {
        uint value = 0;
        for (var i = 0; i < 4; i++)
        {
            var b = _reader.TryRead(out var read) ? read : throw MalformedPacketException.Malformed("packet ends before " + Describe(format, argument));
            value |= (uint)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw MalformedPacketException.Malformed(Describe(format, argument) + ": variable byte integer longer than 4 bytes");
    }

    private static string Describe(string format, string argument) => string.Format(CultureInfo.InvariantCulture, format, argument);

    /// <summary>§1.5.4: length-prefixed, well-formed UTF-8, no U+0000.</summary>
    public string ReadString(string what) => ReadString(what, cache: null);

    /// <summary>As <see cref="ReadString(string)"/>, answered from <paramref name="cache"/> when the bytes are a name it holds.</summary>
    public string ReadString(string what, TopicNameCache? cache)
    {
        var bytes = ReadBinarySpan(what, out var rented);
        try
        {
            if (cache?.Find(bytes) is { } known)
            {
                return known;
            }

            if (!Utf8.IsValid(bytes))
            {
                throw MalformedPacketException.Malformed($"{what} is not well-formed UTF-8");
            }

            if (bytes.IndexOf((byte)0) >= 0)
            {
                throw MalformedPacketException.Malformed($"{what} contains U+0000");
            }

            var decoded = Encoding.UTF8.GetString(bytes);
            cache?.Add(bytes, decoded);
            return decoded;
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

    public ReadOnlySequence<byte> SliceRest()
    {
        var rest = _reader.UnreadSequence;
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
        var length = ReadUInt16("the length of {0}", what);
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
