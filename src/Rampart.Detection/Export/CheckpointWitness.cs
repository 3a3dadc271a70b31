using System.Globalization;
using System.Security.Cryptography;
using Rampart.Fleet.Audit;

namespace Rampart.Detection.Export;

/// <summary>
/// Checks a local audit log against a checkpoint a collector holds (an exported
/// <c>audit.checkpoint</c> record's details). The collector's copy is out of the node's reach, so a
/// local log cut back to before the checkpoint, or rewritten up to it, no longer matches it — even
/// when the local checkpoints were cut off too, which <c>rampart audit verify</c> alone cannot see.
/// </summary>
public static class CheckpointWitness
{
    /// <summary>
    /// Null when the local log holds the checkpoint's entry with the same hash; otherwise what is
    /// wrong (the checkpoint's signature, a truncation, or a rewrite).
    /// </summary>
    /// <param name="exported">The details of the exported record: seq, hash, timeMs, keyId, signature.</param>
    /// <param name="auditPublicKey">The audit public key, kept apart from the node (<c>--audit-key</c>).</param>
    public static async Task<string?> CheckAsync(
        IReadOnlyDictionary<string, string> exported, ECDsa auditPublicKey, IAuditStore local, CancellationToken cancellationToken)
    {
        if (!exported.TryGetValue("seq", out var seqText) || !long.TryParse(seqText, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            || !exported.TryGetValue("hash", out var hashText) || !exported.TryGetValue("timeMs", out var timeText)
            || !long.TryParse(timeText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var timeMs)
            || !exported.TryGetValue("signature", out var signatureText))
        {
            return "the exported checkpoint lacks seq, hash, timeMs or signature";
        }

        byte[] hash, signature;
        try
        {
            hash = Convert.FromHexString(hashText);
            signature = Convert.FromBase64String(signatureText);
        }
        catch (FormatException)
        {
            return "the exported checkpoint's hash or signature is not valid hex or base64";
        }

        var time = DateTimeOffset.FromUnixTimeMilliseconds(timeMs);
        if (!auditPublicKey.VerifyData(AuditCheckpoint.SignedBytes(sequence, hash, time), signature, HashAlgorithmName.SHA256))
        {
            return $"the exported checkpoint at entry {sequence} is not signed by audit key {AuditSigningKey.KeyIdOf(auditPublicKey)}";
        }

        var last = await local.GetLastEntryAsync(cancellationToken);
        if (last is null || last.Sequence < sequence)
        {
            return $"the local log was truncated: it ends at entry {last?.Sequence ?? 0}, but the collector holds a checkpoint signed at entry {sequence}";
        }

        await foreach (var entry in local.ReadEntriesAsync(sequence, cancellationToken))
        {
            return entry.Sequence == sequence && CryptographicOperations.FixedTimeEquals(entry.Hash, hash)
                ? null
                : $"entry {sequence} was rewritten or removed: the local log no longer matches the checkpoint the collector holds";
        }

        return $"entry {sequence} is missing from the local log";
    }
}
