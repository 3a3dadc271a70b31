using System.Security.Cryptography;
using System.Text;

namespace Rampart.Privacy.Keys;

/// <summary>
/// Keyed pseudonyms (HMAC-SHA256, RFC 2104; GDPR art. 4(5) pseudonymisation): the audit log and the
/// stores name a subject only by <see cref="Subject"/>, so the chain never holds an identifier that
/// erasure would have to remove. Each service gets its own key derived from the node's, so two
/// services' pseudonyms of one value differ and cannot be joined; each is stable across restarts.
/// </summary>
public sealed class Pseudonyms(byte[] nodeKey)
{
    /// <summary>The pseudonym of subject <paramref name="subjectId"/>: <c>ps-</c> and 128 bits in hex.</summary>
    public string Subject(string subjectId) => "ps-" + Convert.ToHexStringLower(Mac(nodeKey, "subject:" + subjectId).AsSpan(0, 16));

    /// <summary>The key that makes <paramref name="service"/>'s pseudonyms.</summary>
    public byte[] ServiceKey(string service) => Mac(nodeKey, "service:" + service);

    /// <summary>
    /// The AES-256 key that seals the addresses in security events of device <paramref name="deviceId"/>
    /// while it is linked to no subject (docs/privacy.md, "Security events"): derived from the node's
    /// key (HMAC-SHA256 as a PRF, its own label), so no key row is written on the event path.
    /// </summary>
    public byte[] UnlinkedDeviceKey(string deviceId) => Mac(nodeKey, "unlinked-device-events:" + deviceId);

    /// <summary>The pseudonym of <paramref name="value"/> for the service keyed <paramref name="serviceKey"/>, written into <paramref name="destination"/> (22 base64url characters).</summary>
    public static int ForService(ReadOnlySpan<byte> serviceKey, ReadOnlySpan<byte> value, Span<byte> destination)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(serviceKey, value, mac);
        return System.Buffers.Text.Base64Url.EncodeToUtf8(mac[..16], destination);
    }

    private static byte[] Mac(byte[] key, string value) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(value));
}
