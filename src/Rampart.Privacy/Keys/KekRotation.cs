using System.Globalization;
using Rampart.Fleet.Audit;
using Rampart.Privacy.Subjects;

namespace Rampart.Privacy.Keys;

/// <summary>
/// Rotates the key-encryption key with the node running (no downtime): 1. a new KEK becomes current
/// (new subjects' keys are wrapped with it at once; existing ones still open with their own version),
/// 2. every data key wrapped by an older KEK is re-wrapped in batches — the data it seals is not
/// touched — each batch audited in its transaction, 3. once none is left the older KEKs are destroyed,
/// and the rotation's end is audited with the counts.
/// </summary>
public sealed class KekRotation(ISubjectStore store, IKeyEncryptionKeys keks, Envelope envelope, IAuditLog audit)
{
    /// <summary>Keys re-wrapped per transaction.</summary>
    public const int BatchSize = 2_000;

    private readonly SemaphoreSlim _one = new(1, 1);

    /// <summary>Rotates; returns the new version and how many keys were re-wrapped.</summary>
    public async Task<(int Version, int Rewrapped)> RotateAsync(string actor, CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken);
        try
        {
            var version = keks.Rotate();
            await audit.AppendAsync(new AuditRecord(actor, "privacy.kek-rotation-started", "privacy/kek", AuditOutcome.Success,
                new Dictionary<string, string> { ["version"] = version.ToString(CultureInfo.InvariantCulture) }), cancellationToken);
            var total = 0;
            var barrierPassed = false;
            while (true)
            {
                var batch = await store.KeysWrappedBeforeAsync(version, BatchSize, cancellationToken);
                if (batch.Count == 0)
                {
                    if (barrierPassed)
                    {
                        break;
                    }

                    // The audit writer runs work in order: once this empty commit is done, every key
                    // stored by work queued before the rotation began has committed and the next scan sees it.
                    await audit.CommitAsync((_, _) => ValueTask.FromResult(AuditedOutcome<bool>.Nothing(true)), cancellationToken);
                    barrierPassed = true;
                    continue;
                }

                var rewrapped = batch.Select(k => (k.Pseudonym, k.Key.KekVersion, envelope.Rewrap(k.Key, k.Pseudonym, version))).ToArray();
                var outcome = await audit.CommitAsync(async (transaction, commit) =>
                {
                    var replaced = await store.ReplaceKeysAsync(transaction, rewrapped, commit);
                    return AuditedOutcome<int>.Done(replaced, new AuditRecord(actor, "privacy.kek-rewrapped", "privacy/kek", AuditOutcome.Success,
                        new Dictionary<string, string> { ["version"] = version.ToString(CultureInfo.InvariantCulture), ["keys"] = replaced.ToString(CultureInfo.InvariantCulture) }));
                }, cancellationToken);
                total += outcome.Value;
            }

            keks.RetireBefore(version);
            await audit.AppendAsync(new AuditRecord(actor, "privacy.kek-rotated", "privacy/kek", AuditOutcome.Success,
                new Dictionary<string, string> { ["version"] = version.ToString(CultureInfo.InvariantCulture), ["rewrapped"] = total.ToString(CultureInfo.InvariantCulture) }), cancellationToken);
            return (version, total);
        }
        finally
        {
            _one.Release();
        }
    }
}
