using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Rampart.Privacy.Keys;

namespace Rampart.Privacy.Archive;

/// <summary>
/// How an archived message is sealed: topic and payload together (<c>u16 topic length ‖ topic ‖
/// payload</c>) under the subject's data key, with the pseudonym, device and time bound as
/// associated data, so a row moved to another subject, device or time fails to open. A fresh random
/// nonce per message: a subject's key seals far fewer than the 2^32 messages SP 800-38D §8.3 allows
/// within any retention a node can hold.
/// </summary>
public static class ArchiveSealing
{
    public static SealedMessage Seal(byte[] dataKey, string pseudonym, string deviceId, string family, DateTimeOffset time, string topic, ReadOnlySpan<byte> payload)
    {
        var topicBytes = Encoding.UTF8.GetBytes(topic);
        var plain = new byte[2 + topicBytes.Length + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(plain, checked((ushort)topicBytes.Length));
        topicBytes.CopyTo(plain, 2);
        payload.CopyTo(plain.AsSpan(2 + topicBytes.Length));
        var sealedBytes = Envelope.SealWith(dataKey, plain, pseudonym, Context(deviceId, time));
        return new SealedMessage(pseudonym, deviceId, family, time, sealedBytes);
    }

    /// <summary>The message in <paramref name="row"/>; throws <see cref="System.Security.Cryptography.CryptographicException"/> when it does not open.</summary>
    public static ArchivedMessage Open(byte[] dataKey, StoredArchiveRow row)
    {
        var plain = Envelope.OpenWith(dataKey, row.Sealed, row.Pseudonym, Context(row.DeviceId, row.Time));
        var topicLength = BinaryPrimitives.ReadUInt16BigEndian(plain);
        return new ArchivedMessage(row.Id, row.DeviceId, row.Family, row.Time, Encoding.UTF8.GetString(plain, 2, topicLength), plain[(2 + topicLength)..]);
    }

    private static string Context(string deviceId, DateTimeOffset time) =>
        deviceId + "/" + time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
}
