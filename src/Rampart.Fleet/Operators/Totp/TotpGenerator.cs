using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Rampart.Fleet.Operators.Totp;

/// <summary>
/// TOTP (RFC 6238) over HOTP (RFC 4226): HMAC of the time step, dynamic truncation (RFC 4226
/// §5.3), modulo 10^digits. Rampart uses SHA-1, 6 digits, 30 s steps, accepting ±1 step.
/// </summary>
public static class TotpGenerator
{
    /// <summary>Seconds per step (RFC 6238 §4.1 X).</summary>
    public const int StepSeconds = 30;

    /// <summary>Digits in a code.</summary>
    public const int Digits = 6;

    /// <summary>The time step of a moment (RFC 6238 §4.2, T0 = 0).</summary>
    public static long StepOf(DateTimeOffset time) => time.ToUnixTimeSeconds() / StepSeconds;

    /// <summary>The code for a step.</summary>
    public static string Code(ReadOnlySpan<byte> secret, long step, HashAlgorithmName algorithm, int digits = Digits)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> mac = stackalloc byte[64];
        var length = algorithm.Name switch
        {
            "SHA1" => HMACSHA1.HashData(secret, counter, mac),
            "SHA256" => HMACSHA256.HashData(secret, counter, mac),
            "SHA512" => HMACSHA512.HashData(secret, counter, mac),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm.Name, "TOTP uses SHA1, SHA256 or SHA512"),
        };

        // RFC 4226 §5.3: the low nibble of the last byte picks 4 bytes; drop the top bit.
        var offset = mac[length - 1] & 0x0F;
        var binary = BinaryPrimitives.ReadInt32BigEndian(mac[offset..]) & 0x7FFF_FFFF;
        var modulo = (int)Math.Pow(10, digits);
        return (binary % modulo).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    /// <summary>
    /// The step a presented code matches within ±1 step of <paramref name="now"/>, or null. Compared
    /// in constant time; each candidate is checked whatever the result of the others.
    /// </summary>
    public static long? MatchingStep(ReadOnlySpan<byte> secret, string? code, DateTimeOffset now)
    {
        if (code is not { Length: Digits } || !code.All(char.IsAsciiDigit))
        {
            return null;
        }

        long? matched = null;
        var current = StepOf(now);
        for (var step = current - 1; step <= current + 1; step++)
        {
            var expected = System.Text.Encoding.ASCII.GetBytes(Code(secret, step, HashAlgorithmName.SHA1));
            if (CryptographicOperations.FixedTimeEquals(expected, System.Text.Encoding.ASCII.GetBytes(code)))
            {
                matched = step;
            }
        }

        return matched;
    }

    /// <summary>The otpauth URI authenticator apps scan (Key Uri Format).</summary>
    public static string Uri(string issuer, string account, ReadOnlySpan<byte> secret) =>
        $"otpauth://totp/{System.Uri.EscapeDataString(issuer)}:{System.Uri.EscapeDataString(account)}?secret={Base32.Encode(secret)}&issuer={System.Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits={Digits}&period={StepSeconds}";
}
