using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Rampart.Detection.Export;

/// <summary>
/// The webhook signature: <c>X-Rampart-Signature: v1=HEX(HMAC-SHA256(key, TIMESTAMP "." BODY))</c>
/// with <c>X-Rampart-Timestamp: TIMESTAMP</c> (Unix seconds). Signing the timestamp with the body lets
/// a receiver refuse a replay outside its tolerance; the id in the body lets it refuse one inside.
/// The receiver's recipe is in docs/export.md; <see cref="Verify"/> is that recipe in C#.
/// </summary>
public static class WebhookSignature
{
    /// <summary>The header with the signature.</summary>
    public const string SignatureHeader = "X-Rampart-Signature";

    /// <summary>The header with the Unix time the request was signed.</summary>
    public const string TimestampHeader = "X-Rampart-Timestamp";

    /// <summary>The header with the record id (also in the body).</summary>
    public const string IdHeader = "X-Rampart-Id";

    /// <summary>The signature scheme's version prefix.</summary>
    public const string Version = "v1=";

    /// <summary>The signature header's value for a body sent at <paramref name="timestamp"/>.</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body) =>
        Version + Convert.ToHexStringLower(Mac(secret, timestamp, body));

    /// <summary>
    /// The receiver's check: the timestamp within <paramref name="tolerance"/> of
    /// <paramref name="now"/>, and the signature equal (compared in constant time) to the one computed
    /// over the timestamp and the exact body bytes received.
    /// </summary>
    public static bool Verify(string secret, string? timestampHeader, string? signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
            || Math.Abs(now.ToUnixTimeSeconds() - timestamp) > tolerance.TotalSeconds
            || signatureHeader is null || !signatureHeader.StartsWith(Version, StringComparison.Ordinal))
        {
            return false;
        }

        byte[] presented;
        try
        {
            presented = Convert.FromHexString(signatureHeader.AsSpan(Version.Length));
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(presented, Mac(secret, timestamp, body));
    }

    private static byte[] Mac(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
    }
}
