using System.Buffers.Binary;

namespace Rampart.Network.Captures;

/// <summary>
/// Reads a capture file from a stream, classic pcap or pcapng (told apart by the first four bytes),
/// frame by frame, with every length checked against the block that holds it and against
/// <see cref="CaptureLimits"/>. A malformed file stops with <see cref="NetworkInputException"/>
/// saying at which byte and why. A library was not used for the container: SharpPcap opens files
/// only by path through native libpcap, and uploads arrive as a stream; frames are dissected by
/// PacketDotNet (<see cref="FrameDissector"/>).
/// </summary>
public sealed class CaptureReader(Stream stream, CaptureLimits limits)
{
    // pcap: https://www.tcpdump.org/manpages/pcap-savefile.5.txt (draft-ietf-opsawg-pcap §4, §5).
    private const uint PcapMicros = 0xA1B2C3D4;
    private const uint PcapNanos = 0xA1B23C4D;

    // pcapng: draft-ietf-opsawg-pcapng §4.1 (SHB), §4.2 (IDB), §4.3 (EPB), §4.4 (SPB), Appendix A (obsolete PB).
    private const uint SectionHeader = 0x0A0D0D0A;
    private const uint ByteOrderMagic = 0x1A2B3C4D;
    private const uint InterfaceDescription = 1;
    private const uint ObsoletePacket = 2;
    private const uint SimplePacket = 3;
    private const uint EnhancedPacket = 6;

    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private long _offset;
    private bool _eof;
    private Format _format;
    private bool _bigEndian;
    private int _pcapLinkType;
    private long _pcapTicksPerUnit;
    private int _pcapSnapLength;
    private readonly List<(int LinkType, int SnapLength, long UnitsPerSecond)> _interfaces = [];

    private enum Format { Unknown, Pcap, PcapNg }

    /// <summary>Bytes consumed so far.</summary>
    public long Position => _offset;

    /// <summary>Frames read so far.</summary>
    public long Frames { get; private set; }

    /// <summary>The next frame; false at the end of the file. The frame's bytes are valid until the next call.</summary>
    public async ValueTask<CapturedFrame?> NextAsync(CancellationToken cancellationToken)
    {
        if (_format == Format.Unknown)
        {
            await StartAsync(cancellationToken);
        }

        while (true)
        {
            if (Frames >= limits.MaxFrames)
            {
                throw Malformed($"more than {limits.MaxFrames} frames");
            }

            var frame = _format == Format.Pcap ? await NextPcapAsync(cancellationToken) : await NextBlockAsync(cancellationToken);
            if (frame is null && !_eof)
            {
                continue; // a pcapng block that holds no frame
            }

            if (frame is not null)
            {
                Frames++;
            }

            return frame;
        }
    }

    private async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(4, cancellationToken))
        {
            throw Malformed("the file is shorter than a capture header");
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(Span(4));
        if (magic == SectionHeader)
        {
            _format = Format.PcapNg;
            return;
        }

        var swapped = BinaryPrimitives.ReverseEndianness(magic);
        if (magic is not (PcapMicros or PcapNanos) && swapped is not (PcapMicros or PcapNanos))
        {
            throw Malformed($"not a pcap or pcapng file (magic 0x{magic:x8})");
        }

        _format = Format.Pcap;
        _bigEndian = magic is not (PcapMicros or PcapNanos);
        var nanos = (_bigEndian ? swapped : magic) == PcapNanos;
        if (!await FillAsync(24, cancellationToken))
        {
            throw Malformed("the pcap file header is truncated");
        }

        var header = Span(24);
        var major = U16(header[4..]);
        _pcapSnapLength = (int)Math.Min(U32(header[16..]), int.MaxValue);

        // The link type is the low 16 bits; the upper bits carry the FCS length (pcap §4, LinkType and additional information).
        _pcapLinkType = (int)(U32(header[20..]) & 0xFFFF);
        if (major != 2)
        {
            throw Malformed($"pcap version {major} is not 2");
        }

        _pcapTicksPerUnit = nanos ? 0 : TimeSpan.TicksPerMicrosecond;
        Consume(24);
    }

    // pcap §5: a 16-byte record header (seconds, micro- or nanoseconds, captured length, original length), then the bytes.
    private async ValueTask<CapturedFrame?> NextPcapAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(16, cancellationToken))
        {
            return TruncatedOrEnd("a pcap record header");
        }

        var header = Span(16);
        var seconds = U32(header);
        var fraction = U32(header[4..]);
        var captured = U32(header[8..]);
        var original = U32(header[12..]);
        if (captured > limits.MaxFrameBytes || _pcapSnapLength > 0 && captured > (uint)Math.Max(_pcapSnapLength, 65535))
        {
            throw Malformed($"a record of {captured} bytes exceeds the snapshot length {_pcapSnapLength} or the limit {limits.MaxFrameBytes}");
        }

        if (!await FillAsync(16 + (int)captured, cancellationToken))
        {
            throw Malformed($"a record of {captured} bytes is cut off by the end of the file");
        }

        var ticks = _pcapTicksPerUnit == 0 ? fraction / 100 : fraction * _pcapTicksPerUnit;
        var frame = new CapturedFrame(_pcapLinkType, Time(seconds * TimeSpan.TicksPerSecond + ticks), _buffer.AsMemory(_start + 16, (int)captured), (int)Math.Min(original, int.MaxValue));
        Consume(16 + (int)captured);
        return frame;
    }

    // pcapng §3.1: every block is type, total length, body, total length again; lengths are multiples of 4.
    private async ValueTask<CapturedFrame?> NextBlockAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(12, cancellationToken))
        {
            return TruncatedOrEnd("a pcapng block header");
        }

        var type = BinaryPrimitives.ReadUInt32LittleEndian(Span(4));
        if (type == SectionHeader)
        {
            // §4.1: the byte-order magic says the section's endianness; the length is read after it.
            if (!await FillAsync(12, cancellationToken))
            {
                return TruncatedOrEnd("a section header");
            }

            var magic = BinaryPrimitives.ReadUInt32LittleEndian(Span(12)[8..]);
            _bigEndian = magic switch
            {
                ByteOrderMagic => false,
                _ when BinaryPrimitives.ReverseEndianness(magic) == ByteOrderMagic => true,
                _ => throw Malformed($"a section header's byte-order magic is 0x{magic:x8}"),
            };
            _interfaces.Clear();
        }
        else if (_bigEndian)
        {
            type = BinaryPrimitives.ReverseEndianness(type);
        }

        var length = U32(Span(8)[4..]);
        if (length < 12 || length % 4 != 0 || length > limits.MaxBlockBytes)
        {
            throw Malformed($"a block of type {type} has length {length} (at least 12, a multiple of 4, at most {limits.MaxBlockBytes})");
        }

        if (!await FillAsync((int)length, cancellationToken))
        {
            throw Malformed($"a block of {length} bytes is cut off by the end of the file");
        }

        var block = Span((int)length);
        if (U32(block[^4..]) != length)
        {
            throw Malformed($"a block's trailing length {U32(block[^4..])} differs from its leading length {length}");
        }

        var body = block[8..^4];
        var frame = type switch
        {
            SectionHeader => Section(body),
            InterfaceDescription => Interface(body),
            EnhancedPacket => Enhanced(body, (int)length),
            SimplePacket => Simple(body),
            ObsoletePacket => Obsolete(body, (int)length),
            _ => null, // §3: unknown blocks are skipped
        };
        Consume((int)length);
        return frame;
    }

    private CapturedFrame? Section(ReadOnlySpan<byte> body)
    {
        if (body.Length < 16 || U16(body[4..]) != 1)
        {
            throw Malformed("a section header is shorter than 16 bytes or not version 1");
        }

        return null;
    }

    // §4.2: link type (2), reserved (2), snap length (4), options; if_tsresol (option 9) sets the time unit.
    private CapturedFrame? Interface(ReadOnlySpan<byte> body)
    {
        if (body.Length < 8)
        {
            throw Malformed("an interface description is shorter than 8 bytes");
        }

        if (_interfaces.Count >= limits.MaxInterfaces)
        {
            throw Malformed($"more than {limits.MaxInterfaces} interfaces in a section");
        }

        long unitsPerSecond = 1_000_000;
        var options = body[8..];
        while (options.Length >= 4)
        {
            var code = U16(options);
            var length = U16(options[2..]);
            var padded = (length + 3) & ~3;
            if (code == 0 || 4 + padded > options.Length)
            {
                break;
            }

            if (code == 9 && length == 1)
            {
                var resolution = options[4];
                var exponent = resolution & 0x7F;
                if (exponent > 18)
                {
                    throw Malformed($"an interface's time resolution 2^-/10^-{exponent} is out of range");
                }

                unitsPerSecond = (resolution & 0x80) == 0 ? (long)Math.Pow(10, exponent) : 1L << exponent;
            }

            options = options[(4 + padded)..];
        }

        _interfaces.Add((U16(body), (int)Math.Min(U32(body[4..]), int.MaxValue), unitsPerSecond));
        return null;
    }

    // §4.3: interface id, timestamp (high, low), captured length, original length, data padded to 32 bits, options.
    private CapturedFrame? Enhanced(ReadOnlySpan<byte> body, int blockLength)
    {
        if (body.Length < 20)
        {
            throw Malformed("an enhanced packet block is shorter than 20 bytes");
        }

        var face = Face(U32(body));
        var captured = U32(body[12..]);
        if (captured > body.Length - 20 || captured > limits.MaxFrameBytes)
        {
            throw Malformed($"an enhanced packet's captured length {captured} exceeds its block of {blockLength} bytes or the limit {limits.MaxFrameBytes}");
        }

        var stamp = ((ulong)U32(body[4..]) << 32) | U32(body[8..]);
        return new CapturedFrame(face.LinkType, Stamp(stamp, face.UnitsPerSecond), _buffer.AsMemory(_start + 28, (int)captured), (int)Math.Min(U32(body[16..]), int.MaxValue));
    }

    // §4.4: original length, then the data: as much as the first interface's snap length kept.
    private CapturedFrame? Simple(ReadOnlySpan<byte> body)
    {
        if (body.Length < 4)
        {
            throw Malformed("a simple packet block is shorter than 4 bytes");
        }

        var face = Face(0);
        var original = U32(body);
        var captured = (int)Math.Min(Math.Min(original, (uint)(body.Length - 4)), face.SnapLength == 0 ? uint.MaxValue : (uint)face.SnapLength);
        return new CapturedFrame(face.LinkType, DateTimeOffset.UnixEpoch, _buffer.AsMemory(_start + 12, captured), (int)Math.Min(original, int.MaxValue));
    }

    // Appendix A (obsolete Packet Block): interface id (2), drops (2), timestamp (8), captured, original, data.
    private CapturedFrame? Obsolete(ReadOnlySpan<byte> body, int blockLength)
    {
        if (body.Length < 20)
        {
            throw Malformed("a packet block is shorter than 20 bytes");
        }

        var face = Face(U16(body));
        var captured = U32(body[12..]);
        if (captured > body.Length - 20 || captured > limits.MaxFrameBytes)
        {
            throw Malformed($"a packet block's captured length {captured} exceeds its block of {blockLength} bytes");
        }

        var stamp = ((ulong)U32(body[4..]) << 32) | U32(body[8..]);
        return new CapturedFrame(face.LinkType, Stamp(stamp, face.UnitsPerSecond), _buffer.AsMemory(_start + 28, (int)captured), (int)Math.Min(U32(body[16..]), int.MaxValue));
    }

    private (int LinkType, int SnapLength, long UnitsPerSecond) Face(uint id) =>
        id < _interfaces.Count ? _interfaces[(int)id] : throw Malformed($"a packet names interface {id}, but the section describes {_interfaces.Count}");

    private static DateTimeOffset Time(long ticksSinceEpoch) =>
        ticksSinceEpoch is >= 0 and < 2_534_023_007_999_999_999 - 621_355_968_000_000_000 ? DateTimeOffset.UnixEpoch.AddTicks(ticksSinceEpoch) : DateTimeOffset.UnixEpoch;

    private static DateTimeOffset Stamp(ulong units, long unitsPerSecond)
    {
        var seconds = units / (ulong)unitsPerSecond;
        var rest = units % (ulong)unitsPerSecond;
        return seconds > 253_402_300_799UL - 62_135_596_800UL
            ? DateTimeOffset.UnixEpoch
            : Time((long)seconds * TimeSpan.TicksPerSecond + (long)(rest * (ulong)TimeSpan.TicksPerSecond / (ulong)unitsPerSecond));
    }

    private CapturedFrame? TruncatedOrEnd(string what) =>
        _end == _start ? null : throw Malformed($"{what} is cut off by the end of the file ({_end - _start} bytes left)");

    private NetworkInputException Malformed(string reason) => new($"capture at byte {_offset}: {reason}");

    private ushort U16(ReadOnlySpan<byte> span) => _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);

    private uint U32(ReadOnlySpan<byte> span) => _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);

    private ReadOnlySpan<byte> Span(int length) => _buffer.AsSpan(_start, length);

    private void Consume(int count)
    {
        _start += count;
        _offset += count;
    }

    /// <summary>Makes <paramref name="count"/> bytes available from the current position; false at the end of the stream.</summary>
    private async ValueTask<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        if (_end - _start >= count)
        {
            return true;
        }

        if (count > _buffer.Length)
        {
            var larger = new byte[Math.Max(count, _buffer.Length * 2)];
            _buffer.AsSpan(_start, _end - _start).CopyTo(larger);
            _buffer = larger;
        }
        else
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
        }

        _end -= _start;
        _start = 0;
        while (_end < count && !_eof)
        {
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            _eof = read == 0;
            _end += read;
        }

        if (_offset + _end > limits.MaxFileBytes)
        {
            throw Malformed($"the capture is larger than {limits.MaxFileBytes} bytes");
        }

        return _end >= count;
    }
}

/// <summary>What a capture may hold: bounds for a file nobody vetted.</summary>
public sealed record CaptureLimits
{
    /// <summary>Largest file, in bytes.</summary>
    public long MaxFileBytes { get; init; } = 1L << 30;

    /// <summary>Largest frame (libpcap's own maximum snapshot length is 262,144).</summary>
    public int MaxFrameBytes { get; init; } = 262_144;

    /// <summary>Largest pcapng block.</summary>
    public int MaxBlockBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Interfaces per pcapng section.</summary>
    public int MaxInterfaces { get; init; } = 256;

    /// <summary>Frames per file.</summary>
    public long MaxFrames { get; init; } = 50_000_000;
}
