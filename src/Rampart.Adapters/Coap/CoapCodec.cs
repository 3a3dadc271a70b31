using System.Buffers;
using System.Buffers.Binary;

namespace Rampart.Adapters.Coap;

/// <summary>
/// The CoAP message format (RFC 7252 §3). Written here because no maintained .NET CoAP library is
/// served by the registry (CoAP.NET and its forks are absent; checked against nuget.tsv, 2026-12-01).
/// Decoding never throws: a malformed message gets its reason, and §4.2/§4.3 decide the answer.
/// </summary>
public static class CoapCodec
{
    /// <summary>Most options accepted in one message: bounds the work a datagram can cause.</summary>
    public const int MaxOptions = 32;

    /// <summary>Decodes one datagram; the reason when it is not a well-formed CoAP message.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> datagram, out CoapMessage? message, out string? problem)
    {
        message = null;
        var span = datagram.Span;

        // §3: 4-byte header: Ver (2 bits, must be 1) | T (2) | TKL (4) | Code (8) | Message ID (16).
        if (span.Length < 4)
        {
            return Fail(out problem, "shorter than the 4-byte header");
        }

        if (span[0] >> 6 != 1)
        {
            return Fail(out problem, $"version {span[0] >> 6} (only 1 exists)");
        }

        var type = (CoapType)((span[0] >> 4) & 0x3);
        var tokenLength = span[0] & 0x0F;
        if (tokenLength > 8)
        {
            // §3: lengths 9-15 are reserved and must be processed as a message format error.
            return Fail(out problem, $"token length {tokenLength} (at most 8)");
        }

        var code = span[1];
        var messageId = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
        if (span.Length < 4 + tokenLength)
        {
            return Fail(out problem, "truncated token");
        }

        var token = datagram.Slice(4, tokenLength);
        var position = 4 + tokenLength;
        var options = new List<CoapOption>();
        var number = 0;
        var payload = ReadOnlyMemory<byte>.Empty;
        while (position < span.Length)
        {
            var first = span[position++];
            if (first == 0xFF)
            {
                // §3: a payload marker followed by a zero-length payload is a format error.
                if (position == span.Length)
                {
                    return Fail(out problem, "payload marker without a payload");
                }

                payload = datagram[position..];
                break;
            }

            // §3.1: option delta and length, each 4 bits with 13 (+1 byte), 14 (+2 bytes) extensions; 15 reserved.
            if (!Extended(first >> 4, span, ref position, out var delta) || !Extended(first & 0x0F, span, ref position, out var length))
            {
                return Fail(out problem, "reserved option delta or length nibble (15), or a truncated extension");
            }

            number += delta;
            if (number > ushort.MaxValue || position + length > span.Length)
            {
                return Fail(out problem, "option past the end of the message");
            }

            if (options.Count == MaxOptions)
            {
                return Fail(out problem, $"more than {MaxOptions} options");
            }

            options.Add(new CoapOption((ushort)number, datagram.Slice(position, length)));
            position += length;
        }

        // §4.1: an Empty message (code 0.00) has no token, options or payload.
        if (code == CoapCodes.Empty && (tokenLength != 0 || options.Count != 0 || !payload.IsEmpty))
        {
            return Fail(out problem, "an Empty message with content");
        }

        message = new CoapMessage(type, code, messageId, token, options, payload);
        problem = null;
        return true;
    }

    /// <summary>Writes <paramref name="message"/> (its options sorted by number, §3.1).</summary>
    public static void Encode(CoapMessage message, IBufferWriter<byte> output)
    {
        var header = output.GetSpan(4 + message.Token.Length);
        header[0] = (byte)((1 << 6) | ((byte)message.Type << 4) | message.Token.Length);
        header[1] = message.Code;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], message.MessageId);
        message.Token.Span.CopyTo(header[4..]);
        output.Advance(4 + message.Token.Length);
        var previous = 0;
        foreach (var option in message.Options.OrderBy(o => o.Number))
        {
            var delta = option.Number - previous;
            previous = option.Number;
            var length = option.Value.Length;
            var span = output.GetSpan(5 + length);
            var at = 1;
            span[0] = (byte)((Nibble(delta) << 4) | Nibble(length));
            WriteExtended(delta, span, ref at);
            WriteExtended(length, span, ref at);
            option.Value.Span.CopyTo(span[at..]);
            output.Advance(at + length);
        }

        if (!message.Payload.IsEmpty)
        {
            var span = output.GetSpan(1 + message.Payload.Length);
            span[0] = 0xFF;
            message.Payload.Span.CopyTo(span[1..]);
            output.Advance(1 + message.Payload.Length);
        }
    }

    /// <summary>The message as one datagram.</summary>
    public static byte[] Encode(CoapMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + message.Payload.Length);
        Encode(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>An unsigned integer option value (§3.2: as few bytes as needed; zero is empty).</summary>
    public static CoapOption UInt(ushort number, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        var skip = 0;
        while (skip < 4 && bytes[skip] == 0)
        {
            skip++;
        }

        return new CoapOption(number, bytes[skip..]);
    }

    private static bool Extended(int nibble, ReadOnlySpan<byte> span, ref int position, out int value)
    {
        switch (nibble)
        {
            case < 13:
                value = nibble;
                return true;
            case 13 when position + 1 <= span.Length:
                value = span[position++] + 13;
                return true;
            case 14 when position + 2 <= span.Length:
                value = BinaryPrimitives.ReadUInt16BigEndian(span[position..]) + 269;
                position += 2;
                return true;
            default:
                value = 0;
                return false;
        }
    }

    private static int Nibble(int value) => value < 13 ? value : value < 269 ? 13 : 14;

    private static void WriteExtended(int value, Span<byte> span, ref int at)
    {
        if (value >= 269)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)(value - 269));
            at += 2;
        }
        else if (value >= 13)
        {
            span[at++] = (byte)(value - 13);
        }
    }

    private static bool Fail(out string? problem, string reason)
    {
        problem = reason;
        return false;
    }
}
