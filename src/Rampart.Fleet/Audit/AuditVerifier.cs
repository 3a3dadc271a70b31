using System.Security.Cryptography;

namespace Rampart.Fleet.Audit;

/// <summary>
/// Recomputes the audit chain from the first entry and checks every checkpoint, naming the first
/// entry that does not verify.
/// </summary>
public sealed class AuditVerifier
{
    private readonly ECDsa _publicKey;
    private readonly string _keyId;

    /// <summary>Verifies checkpoints against the given audit public key.</summary>
    public AuditVerifier(ECDsa publicKey)
    {
        _publicKey = publicKey;
        _keyId = AuditSigningKey.KeyIdOf(publicKey);
    }

    /// <summary>Reads the whole log once, in sequence order.</summary>
    public async Task<AuditVerification> VerifyAsync(IAuditStore store, CancellationToken cancellationToken = default)
    {
        // 1. Checkpoints first: one whose signature does not verify vouches for nothing.
        var checkpoints = new SortedDictionary<long, AuditCheckpoint>();
        await foreach (var checkpoint in store.ReadCheckpointsAsync(cancellationToken))
        {
            if (!IsSignedByAuditKey(checkpoint))
            {
                return ForgedCheckpoint(checkpoint);
            }

            checkpoints[checkpoint.Sequence] = checkpoint;
        }

        return await WalkAsync(store, 1, AuditEntry.GenesisHash.ToArray(), checkpoints, cancellationToken);
    }

    /// <summary>
    /// Verifies only what follows the given checkpoint (all of the log when it is null): what a node
    /// checks at start before it signs a checkpoint over entries written before a crash.
    /// </summary>
    public async Task<AuditVerification> VerifySinceAsync(IAuditStore store, AuditCheckpoint? checkpoint, CancellationToken cancellationToken = default)
    {
        if (checkpoint is null)
        {
            return await WalkAsync(store, 1, AuditEntry.GenesisHash.ToArray(), [], cancellationToken);
        }

        if (!IsSignedByAuditKey(checkpoint))
        {
            return ForgedCheckpoint(checkpoint);
        }

        var covered = new SortedDictionary<long, AuditCheckpoint> { [checkpoint.Sequence] = checkpoint };
        return await WalkAsync(store, checkpoint.Sequence + 1, checkpoint.EntryHash, covered, cancellationToken);
    }

    private static async Task<AuditVerification> WalkAsync(
        IAuditStore store,
        long first,
        byte[] previous,
        SortedDictionary<long, AuditCheckpoint> checkpoints,
        CancellationToken cancellationToken)
    {
        // 2. Walk the chain: each entry must hash to what it says, link to the one before it,
        //    follow it without a gap, and match any checkpoint signed at it.
        var expected = first;
        var lastCheckpoint = first - 1;
        var checkpointsVerified = 0;
        await foreach (var entry in store.ReadEntriesAsync(first, cancellationToken))
        {
            if (entry.Sequence != expected)
            {
                return Broken(expected, $"entry {expected} is missing: the log goes from entry {expected - 1} to entry {entry.Sequence} (deleted)");
            }

            if (!entry.ComputeHash().AsSpan().SequenceEqual(entry.Hash))
            {
                return Broken(entry.Sequence, $"entry {entry.Sequence} does not match its hash: it was edited or moved");
            }

            if (!entry.PreviousHash.AsSpan().SequenceEqual(previous))
            {
                return entry.Sequence == 1
                    ? Broken(1, "entry 1 does not start the chain: the beginning of the log was replaced")
                    : Broken(entry.Sequence - 1,
                        $"entry {entry.Sequence - 1} was rewritten: its hash changed and entry {entry.Sequence} no longer links to it");
            }

            if (checkpoints.TryGetValue(entry.Sequence, out var signed))
            {
                if (!signed.EntryHash.AsSpan().SequenceEqual(entry.Hash))
                {
                    return Broken(lastCheckpoint + 1,
                        $"entries {lastCheckpoint + 1} to {entry.Sequence} were rewritten: the chain no longer matches the checkpoint signed at entry {entry.Sequence}");
                }

                lastCheckpoint = entry.Sequence;
                checkpointsVerified++;
            }

            previous = entry.Hash;
            expected++;
        }

        // 3. A checkpoint beyond the last entry proves that signed entries were cut off the end.
        var last = expected - 1;
        var signedUpTo = checkpoints.Count > 0 ? checkpoints.Keys.Max() : 0;
        if (signedUpTo > last)
        {
            return Broken(last + 1,
                $"the log was truncated: entries {last + 1} to {signedUpTo} are missing, though a checkpoint was signed at entry {signedUpTo}");
        }

        return new AuditVerification(last - first + 1, checkpointsVerified, null, null);

        AuditVerification Broken(long sequence, string problem) =>
            new(Math.Max(0, sequence - first), checkpointsVerified, sequence, problem);
    }

    private AuditVerification ForgedCheckpoint(AuditCheckpoint checkpoint) =>
        new(0, 0, checkpoint.Sequence,
            $"checkpoint at entry {checkpoint.Sequence} is not signed by audit key {_keyId}: it was forged or altered");

    private bool IsSignedByAuditKey(AuditCheckpoint checkpoint) =>
        checkpoint.KeyId == _keyId
        && checkpoint.EntryHash.Length == AuditHash.Length
        && _publicKey.VerifyData(
            AuditCheckpoint.SignedBytes(checkpoint.Sequence, checkpoint.EntryHash, checkpoint.Time),
            checkpoint.Signature,
            HashAlgorithmName.SHA256);
}
