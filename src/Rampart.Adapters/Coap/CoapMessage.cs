namespace Rampart.Adapters.Coap;

/// <summary>CoAP message types (RFC 7252 §3: the T field).</summary>
public enum CoapType : byte
{
    Confirmable = 0,
    NonConfirmable = 1,
    Acknowledgement = 2,
    Reset = 3,
}

/// <summary>One CoAP option (RFC 7252 §3.1, §5.10): its number and raw value.</summary>
public readonly record struct CoapOption(ushort Number, ReadOnlyMemory<byte> Value);

/// <summary>
/// A decoded CoAP message (RFC 7252 §3). <see cref="Code"/> is class.detail as one byte
/// (<c>c.dd</c> = c × 32 + dd): 0.01 GET, 0.02 POST, 2.05 Content, 4.03 Forbidden, ….
/// Options are kept in the order of their numbers, as §3.1 requires on the wire.
/// </summary>
public sealed record CoapMessage(CoapType Type, byte Code, ushort MessageId, ReadOnlyMemory<byte> Token, IReadOnlyList<CoapOption> Options, ReadOnlyMemory<byte> Payload)
{
    /// <summary>The Uri-Path segments (option 11, §5.10.1), decoded as UTF-8.</summary>
    public IReadOnlyList<string> Path => [.. Options.Where(o => o.Number == CoapOptions.UriPath).Select(o => System.Text.Encoding.UTF8.GetString(o.Value.Span))];

    /// <summary>The option's value as an unsigned integer (§3.2 uint: big-endian, leading zeros dropped), or null when absent.</summary>
    public uint? UInt(ushort number)
    {
        foreach (var option in Options)
        {
            if (option.Number == number)
            {
                uint value = 0;
                foreach (var b in option.Value.Span[..Math.Min(4, option.Value.Length)])
                {
                    value = (value << 8) | b;
                }

                return value;
            }
        }

        return null;
    }

    /// <summary>True when the message carries option <paramref name="number"/>.</summary>
    public bool Has(ushort number) => Options.Any(o => o.Number == number);

    /// <summary>A code as class.detail (<c>4.03</c>) for messages and logs.</summary>
    public static string CodeText(byte code) => $"{code >> 5}.{code & 0x1F:D2}";
}

/// <summary>Codes used here (RFC 7252 §12.1; 4.29 from RFC 8516).</summary>
public static class CoapCodes
{
    public const byte Empty = 0x00;
    public const byte Get = 0x01;
    public const byte Post = 0x02;
    public const byte Changed = 0x44; // 2.04
    public const byte Continue = 0x5F; // 2.31, RFC 7959 §2.9.1
    public const byte Content = 0x45; // 2.05
    public const byte BadRequest = 0x80; // 4.00
    public const byte Unauthorized = 0x81; // 4.01
    public const byte BadOption = 0x82; // 4.02
    public const byte Forbidden = 0x83; // 4.03
    public const byte NotFound = 0x84; // 4.04
    public const byte MethodNotAllowed = 0x85; // 4.05
    public const byte RequestEntityIncomplete = 0x88; // 4.08, RFC 7959 §2.9.2
    public const byte RequestEntityTooLarge = 0x8D; // 4.13
    public const byte TooManyRequests = 0x9D; // 4.29, RFC 8516 §3
    public const byte InternalServerError = 0xA0; // 5.00
    public const byte ServiceUnavailable = 0xA3; // 5.03
}

/// <summary>Option numbers used here (RFC 7252 §5.10, RFC 7641 §2 Observe, RFC 7959 §2.1 Block1/Block2, §4 Size2).</summary>
public static class CoapOptions
{
    public const ushort ETag = 4;
    public const ushort Observe = 6;
    public const ushort UriPath = 11;
    public const ushort ContentFormat = 12;
    public const ushort Block2 = 23;
    public const ushort Block1 = 27;
    public const ushort Size2 = 28;
    public const ushort Size1 = 60;

    /// <summary>RFC 7252 §5.4.1: odd option numbers are critical; an unrecognised critical option in a request fails it with 4.02.</summary>
    public static bool IsCritical(ushort number) => (number & 1) == 1;

    /// <summary>Options this server understands in a request.</summary>
    public static bool IsKnown(ushort number) => number is Observe or UriPath or ContentFormat or 3 /* Uri-Host */ or 7 /* Uri-Port */ or 15 /* Uri-Query */ or 17 /* Accept */ or Size1 or Size2 or Block1 or Block2 or ETag;

    /// <summary>The MQTT content type for a CoAP Content-Format (RFC 7252 §12.3).</summary>
    public static string? ContentType(uint? format) => format switch
    {
        0 => "text/plain;charset=utf-8",
        42 => "application/octet-stream",
        50 => "application/json",
        60 => "application/cbor",
        _ => null,
    };
}
