using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Pki.Keys;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;

namespace Rampart.Server.Keys;

/// <summary>
/// <c>rampart audit rotate-key</c> on a stopped node: replaces the audit signing key so that
/// <c>rampart audit verify</c> verifies the whole log, before and after, with either key.
/// <list type="number">
/// <item>The next key is generated where the current one is held (file or token), as <c>audit-signing-next</c>, with its ML-DSA-65 companion (<see cref="AuditMlDsaKey"/>).</item>
/// <item>An <c>audit.key-rotated</c> entry names both keys and both companions; closing the log signs a checkpoint at exactly that entry with the old keys.</item>
/// <item>The next key is promoted to <c>audit-signing</c>; the old one is destroyed.</item>
/// <item>An <c>audit.key-activated</c> entry is appended and checkpointed by the new key, which thereby vouches for everything before it.</item>
/// </list>
/// A node refuses to start while <c>audit-signing-next</c> exists; running the command again finishes
/// (the log's last entry already hands over to that key) or discards (it does not) the interrupted rotation.
/// One node's log: on a cluster, stop every node and give them the new key before they start.
/// </summary>
public static class AuditKeyRotator
{
    /// <summary>The entry that follows a rotation, signed by the new key.</summary>
    public const string ActivatedAction = "audit.key-activated";

    /// <summary>What the rotation did.</summary>
    public sealed record Rotation(string FromKeyId, string ToKeyId, bool FinishedInterrupted);

    /// <summary>Rotates the audit key of the (stopped) node at <paramref name="dataDirectory"/>.</summary>
    public static async Task<Rotation> RotateAsync(string dataDirectory, StorageSettings storage, string actor, TimeProvider time, CancellationToken cancellationToken)
    {
        // 0. An interrupted rotation is finished or discarded first.
        if (await ResolveInterruptedAsync(dataDirectory, storage, time, cancellationToken) is { } finished)
        {
            await ActivateAsync(dataDirectory, storage, actor, finished, time, cancellationToken);
            return finished with { FinishedInterrupted = true };
        }

        // 1–2. The next key and the hand-over, checkpointed by the old key when the log closes.
        Rotation rotation;
        await using (var node = await OfflineNode.OpenAsync(dataDirectory, cancellationToken, time: time, storage: storage))
        {
            var provider = node.Keys.KeyProvider;
            using var directory = NodeDataDirectory.OpenExisting(Path.GetFullPath(dataDirectory));

            // The companion first: the ECDSA key's presence is what marks a rotation under way.
            using var nextMlDsa = AuditMlDsaKey.GenerateNext(directory);
            using var next = provider.Generate(KeyNames.AuditNext, ECCurve.NamedCurves.nistP256);
            using var current = node.Keys.AuditKey.ExportPublic();
            await node.Services.GetRequiredService<IAuditLog>().AppendAsync(
                AuditKeyRotation.Record(actor, current, next, node.Keys.AuditKey.MlDsa65PublicKey, nextMlDsa.PublicKey), cancellationToken);
            rotation = new Rotation(AuditSigningKey.KeyIdOf(current), AuditSigningKey.KeyIdOf(next), false);
        }

        // 3–4.
        using (var directory = NodeDataDirectory.OpenExclusive(Path.GetFullPath(dataDirectory)))
        using (var provider = KeyStorageSettings.Load(directory).Open(directory))
        {
            Promote(directory, provider);
        }

        await ActivateAsync(dataDirectory, storage, actor, rotation, time, cancellationToken);
        return rotation;
    }

    // The log's last entry tells whether the interrupted rotation happened: it is the hand-over to the
    // next key (nothing else runs on a stopped node), or the next key was never named and is discarded.
    private static async Task<Rotation?> ResolveInterruptedAsync(string dataDirectory, StorageSettings storage, TimeProvider time, CancellationToken cancellationToken)
    {
        using var directory = NodeDataDirectory.OpenExclusive(Path.GetFullPath(dataDirectory));
        using var provider = KeyStorageSettings.Load(directory).Open(directory);
        if (!provider.Exists(KeyNames.AuditNext))
        {
            AuditMlDsaKey.DiscardNext(directory);
            return null;
        }

        await using var stores = await NodeDatabase.OpenAndMigrateAsync(directory.DatabasePath, storage, cancellationToken);
        using var next = provider.Open(KeyNames.AuditNext);
        var last = await stores.Audit.GetLastEntryAsync(cancellationToken);
        using var handover = last is null ? null : AuditKeyRotation.Read(last, out _);
        if (handover is null || handover.ToKeyId != AuditSigningKey.KeyIdOf(next))
        {
            provider.Delete(KeyNames.AuditNext);
            AuditMlDsaKey.DiscardNext(directory);
            return null;
        }

        // The old key must vouch for the hand-over: sign the checkpoint at it if the crash came before that.
        if ((await stores.Audit.GetLastCheckpointAsync(cancellationToken))?.Sequence != last!.Sequence && provider.Exists(KeyNames.Audit))
        {
            using var old = new AuditSigningKey(provider.Open(KeyNames.Audit), AuditMlDsaKey.LoadExisting(directory));
            await stores.Audit.AppendAsync([], old.Sign(last.Sequence, last.Hash, time.GetUtcNow()), cancellationToken);
        }

        Promote(directory, provider);
        return new Rotation(handover.FromKeyId, handover.ToKeyId, true);
    }

    // Idempotent: a crash anywhere in here leaves a state the next run completes. The companion moves
    // first, while the ECDSA next key still marks the rotation as under way.
    private static void Promote(NodeDataDirectory directory, ISigningKeyProvider provider)
    {
        if (provider.Exists(KeyNames.AuditNext))
        {
            AuditMlDsaKey.Promote(directory);
            provider.Delete(KeyNames.AuditRetired);
            if (provider.Exists(KeyNames.Audit))
            {
                provider.Rename(KeyNames.Audit, KeyNames.AuditRetired);
            }

            provider.Rename(KeyNames.AuditNext, KeyNames.Audit);
        }

        provider.Delete(KeyNames.AuditRetired);
    }

    private static async Task ActivateAsync(string dataDirectory, StorageSettings storage, string actor, Rotation rotation, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var node = await OfflineNode.OpenAsync(dataDirectory, cancellationToken, time: time, storage: storage);
        if (node.Keys.AuditKey.KeyId != rotation.ToKeyId)
        {
            throw new NodeStartupException($"the audit key is {node.Keys.AuditKey.KeyId}, not the rotated-to key {rotation.ToKeyId}");
        }

        await node.Services.GetRequiredService<IAuditLog>().AppendAsync(new AuditRecord(actor, ActivatedAction, "audit", AuditOutcome.Success,
            new Dictionary<string, string> { ["key"] = rotation.ToKeyId, ["previous"] = rotation.FromKeyId }), cancellationToken);
    }
}
