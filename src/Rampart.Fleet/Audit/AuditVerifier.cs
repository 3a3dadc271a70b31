using System.Security.Cryptography;

namespace Rampart.Fleet.Audit;

/// <summary>
/// Recomputes the audit chain from the first entry and checks every checkpoint, naming the first
/// entry that does not verify. The chain may change keys (<see cref="AuditKeyRotation"/>): each
/// checkpoint is checked against the key of its stretch of the log — the key a rotation entry hands
/// over to, or the key it hands over from — and the key this verifier is given must be one of them,
/// having signed a checkpoint of its own (unless it is the first), so trust in any one audit key
/// extends across every rotation before and after it. A checkpoint that also carries an ML-DSA-65
/// signature must verify under its stretch's ML-DSA-65 key as well: the one a rotation entry names
/// (then every checkpoint of that stretch must carry it), or the one given beside the ECDSA key for
/// the given key's own stretch. Checkpoints without it verify by ECDSA alone (logs from before it).
/// </summary>
public sealed class AuditVerifier
{
    private readonly ECDsa _publicKey;
    private readonly byte[]? _mlDsa65;
    private readonly string _keyId;

    /// <summary>
    /// Verifies checkpoints against the given audit public key (any key the log has rotated through)
    /// and, for that key's stretch of the log, its ML-DSA-65 companion's public key when given.
    /// </summary>
    public AuditVerifier(ECDsa publicKey, byte[]? mlDsa65PublicKey = null)
    {
        _publicKey = publicKey;
        _mlDsa65 = mlDsa65PublicKey;
        _keyId = AuditSigningKey.KeyIdOf(publicKey);
    }

    /// <summary>Reads the whole log once, in sequence order.</summary>
    public async Task<AuditVerification> VerifyAsync(IAuditStore store, CancellationToken cancellationToken = default)
    {
        var checkpoints = new SortedDictionary<long, AuditCheckpoint>();
        await foreach (var checkpoint in store.ReadCheckpointsAsync(cancellationToken))
        {
            checkpoints[checkpoint.Sequence] = checkpoint;
        }

        // Until a rotation entry says otherwise, the log's first key is taken to be the given one.
        using var keys = new KeyEpochs(_publicKey, _mlDsa65, confirmed: false);
        return await WalkAsync(store, 1, AuditEntry.GenesisHash.ToArray(), checkpoints, keys, cancellationToken);
    }

    /// <summary>
    /// Verifies only what follows the given checkpoint (all of the log when it is null): what a node
    /// checks at start before it signs a checkpoint over entries written before a crash. A checkpoint
    /// by the previous key is accepted when it sits on the rotation entry that hands over to this one.
    /// </summary>
    public async Task<AuditVerification> VerifySinceAsync(IAuditStore store, AuditCheckpoint? checkpoint, CancellationToken cancellationToken = default)
    {
        using var keys = new KeyEpochs(_publicKey, _mlDsa65, confirmed: true);
        if (checkpoint is null)
        {
            return await WalkAsync(store, 1, AuditEntry.GenesisHash.ToArray(), [], keys, cancellationToken);
        }

        if (!(checkpoint.KeyId == _keyId ? IsSignedBy(checkpoint, _publicKey) && MlDsaProblem(checkpoint, _mlDsa65, required: false) is null
                : await IsHandoverToThisKeyAsync(store, checkpoint, cancellationToken)))
        {
            return Forged(checkpoint, _keyId);
        }

        var covered = new SortedDictionary<long, AuditCheckpoint>();
        return await WalkAsync(store, checkpoint.Sequence + 1, checkpoint.EntryHash, covered, keys, cancellationToken);
    }

    private async Task<bool> IsHandoverToThisKeyAsync(IAuditStore store, AuditCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        await foreach (var entry in store.ReadEntriesAsync(checkpoint.Sequence, cancellationToken))
        {
            using var handover = AuditKeyRotation.Read(entry, out _);
            return entry.Sequence == checkpoint.Sequence && entry.Hash.AsSpan().SequenceEqual(checkpoint.EntryHash)
                && handover is not null && handover.ToKeyId == _keyId && handover.FromKeyId == checkpoint.KeyId && IsSignedBy(checkpoint, handover.FromKey)
                && MlDsaProblem(checkpoint, handover.FromMlDsa65, required: false) is null;
        }

        return false;
    }

    private async Task<AuditVerification> WalkAsync(
        IAuditStore store,
        long first,
        byte[] previous,
        SortedDictionary<long, AuditCheckpoint> checkpoints,
        KeyEpochs keys,
        CancellationToken cancellationToken)
    {
        // Walk the chain: each entry must hash to what it says, link to the one before it, follow it
        // without a gap, and match any checkpoint signed at it, by the key of its stretch of the log.
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

            var signed = checkpoints.GetValueOrDefault(entry.Sequence);
            if (signed is not null)
            {
                // 1. The signature, when this stretch's key is known; else it waits for the rotation that names the key.
                if (keys.Check(signed) is { } problem)
                {
                    return Refused(signed, problem);
                }

                if (!signed.EntryHash.AsSpan().SequenceEqual(entry.Hash))
                {
                    return Broken(lastCheckpoint + 1,
                        $"entries {lastCheckpoint + 1} to {entry.Sequence} were rewritten: the chain no longer matches the checkpoint signed at entry {entry.Sequence}");
                }

                lastCheckpoint = entry.Sequence;
                checkpointsVerified++;
            }

            // 2. A rotation: the key it hands over from must be this stretch's and must have signed a
            //    checkpoint at exactly this entry; from the next entry on, only the new key counts.
            using (var handover = AuditKeyRotation.Read(entry, out var malformed))
            {
                if (malformed is not null)
                {
                    return Broken(entry.Sequence, malformed);
                }

                if (handover is not null && keys.Rotate(handover, signed) is { } refusal)
                {
                    return refusal.Checkpoint is { } forged ? Refused(forged, refusal.Problem) : Broken(entry.Sequence, refusal.Problem);
                }
            }

            previous = entry.Hash;
            expected++;
        }

        // 3. A checkpoint beyond the last entry proves that signed entries were cut off the end (if it is genuine).
        var last = expected - 1;
        foreach (var beyond in checkpoints.Where(pair => pair.Key > last).Select(pair => pair.Value))
        {
            if (keys.Check(beyond) is { } problem)
            {
                return Refused(beyond, problem);
            }
        }

        if (keys.Finish() is { } unresolved)
        {
            return unresolved.Checkpoint is { } forged ? Refused(forged, unresolved.Problem) : Broken(Math.Max(first, 1), unresolved.Problem);
        }

        var signedUpTo = checkpoints.Count > 0 ? checkpoints.Keys.Max() : 0;
        if (signedUpTo > last)
        {
            return Broken(last + 1,
                $"the log was truncated: entries {last + 1} to {signedUpTo} are missing, though a checkpoint was signed at entry {signedUpTo}");
        }

        return new AuditVerification(last - first + 1, checkpointsVerified, null, null, keys.MlDsa65Verified);

        AuditVerification Broken(long sequence, string problem) =>
            new(Math.Max(0, sequence - first), checkpointsVerified, sequence, problem);
    }

    private static AuditVerification Forged(AuditCheckpoint checkpoint, string keyId) => Refused(checkpoint, ForgedProblem(checkpoint, keyId));

    private static AuditVerification Refused(AuditCheckpoint checkpoint, string problem) => new(0, 0, checkpoint.Sequence, problem);

    private static string ForgedProblem(AuditCheckpoint checkpoint, string keyId) =>
        $"checkpoint at entry {checkpoint.Sequence} is not signed by audit key {keyId}: it was forged or altered";

    /// <summary>
    /// Why the checkpoint's ML-DSA-65 signature does not hold, or null: absent when not
    /// <paramref name="required"/>, or verifying under <paramref name="publicKey"/>.
    /// </summary>
    private static string? MlDsaProblem(AuditCheckpoint checkpoint, byte[]? publicKey, bool required)
    {
        if (checkpoint.MlDsa65Signature is not { } signature)
        {
            return required
                ? $"checkpoint at entry {checkpoint.Sequence} has no ML-DSA-65 signature, though its audit key {checkpoint.KeyId} has an ML-DSA-65 key: it was stripped"
                : null;
        }

        if (publicKey is null)
        {
            return $"checkpoint at entry {checkpoint.Sequence} carries an ML-DSA-65 signature, but no ML-DSA-65 public key is known for audit key {checkpoint.KeyId}: give it with --audit-ml-dsa-key";
        }

        return Rampart.Updates.Firmware.MlDsa65.Verify(publicKey, AuditCheckpoint.SignedBytes(checkpoint.Sequence, checkpoint.EntryHash, checkpoint.Time), signature)
            ? null
            : $"checkpoint at entry {checkpoint.Sequence}: the ML-DSA-65 signature does not verify under the ML-DSA-65 key of audit key {checkpoint.KeyId}: it was forged or altered";
    }

    private static bool IsSignedBy(AuditCheckpoint checkpoint, ECDsa key) =>
        checkpoint.EntryHash.Length == AuditHash.Length
        && key.VerifyData(AuditCheckpoint.SignedBytes(checkpoint.Sequence, checkpoint.EntryHash, checkpoint.Time), checkpoint.Signature, HashAlgorithmName.SHA256);

    /// <summary>Why a rotation or the end of the walk does not verify: a checkpoint that does not verify, or a problem in words.</summary>
    private sealed record Refusal(AuditCheckpoint? Checkpoint, string KeyId, string Problem);

    /// <summary>A stretch's keys: ECDSA, and ML-DSA-65 when known (required on every checkpoint when a rotation entry named it).</summary>
    private sealed record Epoch(string Id, ECDsa Key, byte[]? MlDsa65, bool MlDsa65Required);

    /// <summary>
    /// The key of the stretch of log being walked, and the checkpoints of a stretch whose key is not
    /// known yet (the given key may be a later one: then the first stretch's key comes from the first
    /// rotation entry, and its checkpoints are checked then).
    /// </summary>
    private sealed class KeyEpochs(ECDsa anchor, byte[]? anchorMlDsa65, bool confirmed) : IDisposable
    {
        private readonly string _anchorId = AuditSigningKey.KeyIdOf(anchor);
        private readonly List<AuditCheckpoint> _waiting = [];
        private readonly List<AuditCheckpoint> _mlDsaWaiting = [];
        private readonly List<ECDsa> _owned = [];
        private bool _confirmed = confirmed;
        private bool _anchorSeen = confirmed;
        private bool _anchorSigned = confirmed;
        private int _epoch;

        public Epoch Current { get; private set; } = new(AuditSigningKey.KeyIdOf(anchor), anchor, anchorMlDsa65, false);

        public int MlDsa65Verified { get; private set; }

        // Null when the checkpoint is signed by this stretch's keys, or waits for the key to be known; else why not.
        public string? Check(AuditCheckpoint checkpoint)
        {
            if (!_confirmed && checkpoint.KeyId != Current.Id)
            {
                _waiting.Add(checkpoint);
                return null;
            }

            if (checkpoint.KeyId != Current.Id || !IsSignedBy(checkpoint, Current.Key))
            {
                return ForgedProblem(checkpoint, Current.Id);
            }

            // An ML-DSA-65 signature whose key is not known yet waits for the rotation that ends this
            // stretch: it names the key it hands over from (else the end of the walk refuses it).
            if (Current.MlDsa65 is null && checkpoint.MlDsa65Signature is not null)
            {
                _mlDsaWaiting.Add(checkpoint);
                _anchorSigned |= Current.Id == _anchorId;
                return null;
            }

            // Both signatures must hold: a forged ECDSA signature alone passes nothing here.
            if (MlDsaProblem(checkpoint, Current.MlDsa65, Current.MlDsa65Required) is { } problem)
            {
                return problem;
            }

            MlDsa65Verified += checkpoint.MlDsa65Signature is null ? 0 : 1;
            _anchorSigned |= Current.Id == _anchorId;
            return null;
        }

        public Refusal? Rotate(AuditKeyRotation.Handover handover, AuditCheckpoint? atRotation)
        {
            if (!_confirmed && _anchorSigned && handover.FromKeyId != _anchorId)
            {
                return new(null, _anchorId, $"the audit key rotation hands over from key {handover.FromKeyId}, but checkpoints before it are signed by key {_anchorId}");
            }

            if (!_confirmed)
            {
                // The first stretch was signed by the key this rotation hands over from; what waited is checked against it.
                if (Resolve(handover.FromKeyId, handover.FromKey, handover.FromMlDsa65) is { } refusal)
                {
                    return refusal;
                }
            }
            else if (handover.FromKeyId != Current.Id)
            {
                return new(null, Current.Id, $"the audit key rotation hands over from key {handover.FromKeyId}, but this part of the log is signed by key {Current.Id}");
            }
            else if (handover.FromMlDsa65 is { } named && Current.MlDsa65 is { } known && !named.AsSpan().SequenceEqual(known))
            {
                return new(null, Current.Id, $"the audit key rotation names another ML-DSA-65 key for key {Current.Id} than the one its checkpoints are signed with");
            }

            if (atRotation is null || atRotation.KeyId != handover.FromKeyId)
            {
                return new(null, Current.Id, $"the audit key rotation to key {handover.ToKeyId} is not vouched for: key {handover.FromKeyId} signed no checkpoint at it");
            }

            if (SettleMlDsa(handover.FromMlDsa65) is { } unsettled)
            {
                return unsettled;
            }

            // The new stretch's ML-DSA-65 key is the one the entry names; the key given for the anchor must be that one.
            var mlDsa = handover.ToMlDsa65;
            if (handover.ToKeyId == _anchorId && anchorMlDsa65 is not null)
            {
                if (mlDsa is not null && !mlDsa.AsSpan().SequenceEqual(anchorMlDsa65))
                {
                    return new(null, _anchorId, $"the ML-DSA-65 key given is not the one the log hands over to with audit key {_anchorId}");
                }

                mlDsa ??= anchorMlDsa65;
            }

            var next = ECDsa.Create(handover.ToKey.ExportParameters(false));
            _owned.Add(next);
            Current = new(handover.ToKeyId, next, mlDsa, handover.ToMlDsa65 is not null);
            _anchorSeen |= Current.Id == _anchorId;
            _epoch++;
            return null;
        }

        public Refusal? Finish()
        {
            if (!_confirmed && Resolve(_anchorId, anchor, anchorMlDsa65) is { } refusal)
            {
                return refusal;
            }

            if (SettleMlDsa(null) is { } unsettled)
            {
                return unsettled;
            }

            // A later key that never signed vouches for nothing before it: verify with the key that did.
            return !_anchorSeen ? new(null, _anchorId, $"audit key {_anchorId} is not one of the keys this log was signed with (last: {Current.Id})")
                : !_anchorSigned && _epoch > 0 ? new(null, _anchorId, $"audit key {_anchorId} has not signed a checkpoint yet; verify with the key before it (rampart audit verify --audit-key OLD.pem)")
                : null;
        }

        // The stretch's ML-DSA-65 signatures that waited for its key, checked now that it is named (or refused: it is not).
        private Refusal? SettleMlDsa(byte[]? mlDsa65)
        {
            foreach (var checkpoint in _mlDsaWaiting)
            {
                if (MlDsaProblem(checkpoint, mlDsa65, required: false) is { } problem)
                {
                    return new(checkpoint, Current.Id, problem);
                }

                MlDsa65Verified++;
            }

            _mlDsaWaiting.Clear();
            return null;
        }

        private Refusal? Resolve(string id, ECDsa key, byte[]? mlDsa65)
        {
            var owned = ECDsa.Create(key.ExportParameters(false));
            _owned.Add(owned);
            Current = new(id, owned, mlDsa65 ?? (id == _anchorId ? anchorMlDsa65 : null), false);
            _confirmed = true;
            _anchorSeen |= id == _anchorId;
            foreach (var checkpoint in _waiting)
            {
                if (Check(checkpoint) is { } problem)
                {
                    return new(checkpoint, id, problem);
                }
            }

            _waiting.Clear();
            return null;
        }

        public void Dispose()
        {
            foreach (var key in _owned)
            {
                key.Dispose();
            }
        }
    }
}
