using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Pki.Keys;
using Rampart.Server.DataDirectory;
using Rampart.Server.Keys;
using Rampart.Updates.Firmware;
using Rampart.Updates.Lms;

namespace Rampart.Server.Updates;

/// <summary>
/// Firmware key rotation without re-provisioning a device (issue 20, "Key rotation without downtime"):
/// new ECDSA, LMS and ML-DSA-65 keys replace the current ones, and a <see cref="FirmwareKeyRotation"/>
/// signed by the current keys hands devices over to them, published as a TUF target. In three steps, as
/// the CA rollover:
/// <list type="number">
/// <item>Prepared, not in force: the new keys (<c>firmware-*-next</c>) and, last, the signed rotation with the
/// log's last sequence (<c>keys/firmware-key-rotation-next.json</c>; its presence marks a prepared rotation).</item>
/// <item>The commit: <c>firmware.keys-rotated</c> (sequence, both key sets, the rotation's SHA-256) through
/// <see cref="IAuditLog.CommitAsync{T}"/>. This one commit decides the rotation.</item>
/// <item>The rotation is published as a TUF target; the new keys replace the old ones (each move once, the
/// LMS seed before its state, so a crash never pairs the old seed with a fresh index); the marker becomes
/// <c>keys/firmware-key-rotation-NNNNNN.json</c>.</item>
/// </list>
/// At start (<see cref="ResolvePendingRotationAsync"/>) a prepared rotation whose entry is in the log is
/// finished, one whose entry is not is discarded; until then nothing signs. The old private keys are
/// overwritten by the moves: after a rotation only the new keys sign.
/// </summary>
public sealed partial class FirmwareSigningKeys
{
    /// <summary>The audit action of a firmware key rotation.</summary>
    public const string RotatedAction = "firmware.keys-rotated";

    /// <summary>What a rotation did: its number, both key sets and the TUF target that carries it.</summary>
    /// <param name="Resigned">Releases whose manifests the new keys signed again (devices that follow the rotation refuse the old signatures).</param>
    /// <param name="OlderReleasesLeft">True when releases older than the newest <see cref="MaxResigned"/> keep the old signatures.</param>
    public sealed record RotationResult(long Sequence, string PreviousKeySet, string NewKeySet, string Target, bool Published, long PreviousLmsRemaining, int Resigned, bool OlderReleasesLeft);

    /// <summary>How many releases (newest first) a rotation signs again with the new keys: an eighth of the new LMS key's 1,024 signatures.</summary>
    public const int MaxResigned = 128;

    private string NextRotationPath => Path.Combine(KeysDirectory, "firmware-key-rotation-next.json");

    private string LmsSeedPath(bool next) => Path.Combine(KeysDirectory, next ? "firmware-lms-next.key" : "firmware-lms.key");

    private string LmsStatePath(bool next) => Path.Combine(KeysDirectory, next ? "firmware-lms-next.state" : "firmware-lms.state");

    private string MlDsaPath(bool next) => Path.Combine(KeysDirectory, next ? "firmware-mldsa65-next.key" : "firmware-mldsa65.key");

    private static string EcdsaNext => KeyNames.FirmwareEcdsa + "-next";

    // Rotations this node published (each kept in keys/ as the target it published).
    private long PublishedRotations()
    {
        var count = 0L;
        while (File.Exists(Path.Combine(KeysDirectory, FirmwareKeyRotation.TargetName(count + 1))))
        {
            count++;
        }

        return count;
    }

    // After every rotation this node made and every one the repository lists (a number is never published twice,
    // since a device examines each number once).
    private long NextSequence(TufRepository repository)
    {
        var sequence = PublishedRotations() + 1;
        while (repository.TargetInfo(FirmwareKeyRotation.TargetName(sequence)) is not null)
        {
            sequence++;
        }

        return sequence;
    }

    /// <summary>
    /// Rotates the firmware keys on this running node: the three steps above. Refused on a cluster node
    /// (each node holds a copy of the keys) and with the firmware ECDSA key in a PKCS#11 token (token keys are found by label, and a rotation renames them).
    /// </summary>
    public async Task<RotationResult> RotateAsync(
        IAuditStore auditStore, IAuditLog log, TufRepository repository, Rampart.Fleet.Updates.IReleaseStore releases, string actor, CancellationToken cancellationToken)
    {
        if (cluster is not null)
        {
            throw new FleetException(FleetErrorKind.Conflict,
                "firmware keys are not rotated on a cluster yet: every node holds a copy of them, and one node rotating alone would sign with keys the others do not have");
        }

        if (keys.InToken)
        {
            throw new FleetException(FleetErrorKind.Conflict, "the firmware ECDSA key is held in the PKCS#11 token, whose keys are found by label; rotating a token-held firmware key is not supported yet");
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            var (ecdsa, lms) = await LoadLocked(cancellationToken);
            var previous = FirmwareKeySet.Of(ecdsa, lms.PublicKey, _mlDsa!.PublicKey);
            var remaining = lms.Remaining;
            if (remaining < 1)
            {
                throw new FleetException(FleetErrorKind.Conflict, "the LMS key has no signature left to sign a rotation: devices must be provisioned with new keys");
            }

            // 1. Prepared: the new keys, then the rotation they are handed over by (signed by the current keys).
            var sequence = NextSequence(repository);
            var after = (await auditStore.GetLastEntryAsync(cancellationToken))?.Sequence ?? 0;
            DiscardNextKeys();
            using var nextEcdsa = keys.Create(EcdsaNext);
            using var nextLms = await LmsSigner.CreateAsync(LmsType.Sha256M32H10, LmOtsType.Sha256N32W8, new FileLmsStateStore(LmsStatePath(next: true)), cancellationToken);
            protector.SaveSecret(LmsSeedPath(next: true), nextLms.ExportSeed());
            using var nextMlDsa = MlDsa65.Create();
            protector.SaveSecret(MlDsaPath(next: true), nextMlDsa.ExportSeed());
            var rotation = new FirmwareKeyRotation(sequence, previous.Id, FirmwareKeySet.Of(nextEcdsa, nextLms.PublicKey, nextMlDsa.PublicKey));
            var signed = await rotation.SignAsync(ecdsa, lms, _mlDsa, cancellationToken);
            OwnerOnlyFile.WriteAtomically(NextRotationPath, Encoding.UTF8.GetBytes(new JsonObject
            {
                ["afterSequence"] = after,
                ["rotation"] = Convert.ToBase64String(signed),
            }.ToJsonString()));
            CrashPoint.Reached("firmware-rotation-prepared");

            // 2. The commit point.
            var record = new AuditRecord(actor, RotatedAction, "firmware-keys", AuditOutcome.Success, new Dictionary<string, string>
            {
                ["sequence"] = sequence.ToString(CultureInfo.InvariantCulture),
                ["previous-key-set"] = previous.Id,
                ["new-key-set"] = rotation.To.Id,
                ["rotation-sha256"] = Convert.ToHexStringLower(SHA256.HashData(signed)),
                ["previous-lms-remaining"] = (remaining - 1).ToString(CultureInfo.InvariantCulture),
                ["target"] = FirmwareKeyRotation.TargetName(sequence),
            });
            await log.CommitAsync<bool>((_, _) => ValueTask.FromResult(AuditedOutcome<bool>.Done(true, record)), cancellationToken);
            CrashPoint.Reached("firmware-rotation-committed");

            // 3.
            var (published, resigned, olderLeft) = await CompleteLocked(repository, releases, signed, sequence, cancellationToken);
            return new RotationResult(sequence, previous.Id, rotation.To.Id, FirmwareKeyRotation.TargetName(sequence), published, remaining - 1, resigned, olderLeft);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Decides a prepared rotation at start, before anything signs: finished (<see cref="CompleteLocked"/>) when
    /// its <c>firmware.keys-rotated</c> entry is in the log, discarded when it is not.
    /// </summary>
    public async Task ResolvePendingRotationAsync(IAuditStore auditStore, TufRepository repository, Rampart.Fleet.Updates.IReleaseStore releases, CancellationToken cancellationToken)
    {
        if (!File.Exists(NextRotationPath))
        {
            return;
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            var (after, signed) = ReadPending();
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(signed));
            await foreach (var entry in auditStore.ReadEntriesAsync(after + 1, cancellationToken))
            {
                if (entry.Action == RotatedAction && Detail(entry, "rotation-sha256") == sha256)
                {
                    var rotation = FirmwareKeyRotation.Read(signed) ?? throw new InvalidOperationException($"{NextRotationPath} does not hold a firmware key rotation");
                    await CompleteLocked(repository, releases, signed, rotation.Sequence, cancellationToken);
                    return;
                }
            }

            // Never committed: the new keys never signed anything and no device can know them.
            AtomicDelete(NextRotationPath);
            DiscardNextKeys();
        }
        finally
        {
            _lock.Release();
        }
    }

    // Step 3, idempotent: publish, move each new key over the old one, sign the releases again, keep the rotation, drop the marker.
    private async Task<(bool Published, int Resigned, bool OlderLeft)> CompleteLocked(
        TufRepository repository, Rampart.Fleet.Updates.IReleaseStore releases, byte[] signed, long sequence, CancellationToken cancellationToken)
    {
        var target = FirmwareKeyRotation.TargetName(sequence);
        var published = await repository.AddTargetAsync(target, signed, new JsonObject { ["kind"] = "firmware-key-rotation", ["sequence"] = sequence }, cancellationToken);
        CrashPoint.Reached("firmware-rotation-published");

        MoveIfPresent(keys.PathOf(EcdsaNext), keys.PathOf(KeyNames.FirmwareEcdsa));
        MoveIfPresent(MlDsaPath(next: true), MlDsaPath(next: false));

        // The seed before its state: a crash between leaves the new seed with the old (higher) index, which only skips leaves;
        // the other order would pair the old seed with index 0 and reuse its one-time keys (RFC 8554 §5.4).
        MoveIfPresent(LmsSeedPath(next: true), LmsSeedPath(next: false));
        MoveIfPresent(LmsStatePath(next: true), LmsStatePath(next: false));
        _ecdsa?.Dispose();
        _lms?.Dispose();
        _mlDsa?.Dispose();
        (_ecdsa, _lms, _mlDsa) = (null, null, null);
        var (resigned, olderLeft) = await ResignReleasesLocked(repository, releases, cancellationToken);

        OwnerOnlyFile.WriteAtomically(Path.Combine(KeysDirectory, target), signed);
        AtomicDelete(NextRotationPath);
        return (published, resigned, olderLeft);
    }

    // A device that followed the rotation verifies manifests under the new keys only, so the releases still to be
    // installed are signed again (newest first, at most MaxResigned; one already signed by the new keys is skipped, so
    // a resumed completion spends no second signature) and published in one targets version.
    private async Task<(int Resigned, bool OlderLeft)> ResignReleasesLocked(TufRepository repository, Rampart.Fleet.Updates.IReleaseStore releases, CancellationToken cancellationToken)
    {
        var (ecdsa, lms) = await LoadLocked(cancellationToken, completingRotation: true);
        var all = await releases.ListAsync(MaxResigned + 1, cancellationToken);
        var manifests = new List<TufRepository.NewTarget>();
        foreach (var release in all.Take(MaxResigned))
        {
            if (repository.TargetInfo(release.ManifestTarget) is not { } info || Json(info["hashes"]?["sha256"]) is not { } sha256
                || Path.Combine(repository.TargetsDirectory, $"{sha256}.{release.ManifestTarget}") is not { } path || !File.Exists(path))
            {
                continue;
            }

            var current = await File.ReadAllBytesAsync(path, cancellationToken);
            if (SignedManifest.Verify(current, ecdsa, lms.PublicKey, _mlDsa!.PublicKey, 0).Manifest is not null)
            {
                continue;
            }

            if (FirmwareManifest.FromJson(JsonNode.Parse(current)?["manifest"]) is { } manifest)
            {
                manifests.Add(new TufRepository.NewTarget(release.ManifestTarget, await SignedManifest.SignAsync(manifest, ecdsa, lms, _mlDsa, cancellationToken), info["custom"] as JsonObject));
            }
        }

        if (manifests.Count > 0)
        {
            await repository.AddTargetsAsync(manifests, cancellationToken);
        }

        return (manifests.Count, all.Count > MaxResigned);
    }

    private static string? Json(JsonNode? node) => Rampart.Updates.Tuf.Json.Text(node);

    private void DiscardNextKeys()
    {
        keys.Delete(EcdsaNext);
        foreach (var path in new[] { LmsSeedPath(next: true), LmsStatePath(next: true), MlDsaPath(next: true) })
        {
            File.Delete(path);
        }

        Rampart.Updates.Files.AtomicFile.SyncDirectory(KeysDirectory);
    }

    private void MoveIfPresent(string from, string to)
    {
        if (File.Exists(from))
        {
            File.Move(from, to, overwrite: true);
            Rampart.Updates.Files.AtomicFile.SyncDirectory(KeysDirectory);
        }
    }

    private static void AtomicDelete(string path) => Rampart.Updates.Files.AtomicFile.Delete(path);

    private (long After, byte[] Signed) ReadPending()
    {
        try
        {
            var state = JsonNode.Parse(File.ReadAllBytes(NextRotationPath));
            return (state?["afterSequence"]?.GetValue<long>() ?? 0, Convert.FromBase64String(state?["rotation"]?.GetValue<string>() ?? string.Empty));
        }
        catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{NextRotationPath} cannot be read: {exception.Message}", exception);
        }
    }

    private static string? Detail(AuditEntry entry, string name)
    {
        try
        {
            using var details = JsonDocument.Parse(entry.Details);
            return details.RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
