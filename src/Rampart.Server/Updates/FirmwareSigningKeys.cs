using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Rampart.Pki.Keys;
using Rampart.Server.Keys;
using Rampart.Storage;
using Rampart.Updates.Firmware;
using Rampart.Updates.Lms;

namespace Rampart.Server.Updates;

/// <summary>
/// The two keys that sign firmware manifests: ECDSA P-256 (<c>keys/firmware-ecdsa.key.pem</c>, or generated
/// in the node's PKCS#11 token: <see cref="UpdateKeys"/>) and LMS
/// (LMS_SHA256_M32_H10 / LMOTS_SHA256_N32_W8: 1,024 signatures; seed in <c>keys/firmware-lms.key</c>,
/// next leaf in <c>keys/firmware-lms.state</c>, persisted durably before each signature is released), and a
/// third, ML-DSA-65 (FIPS 204; seed sealed in <c>keys/firmware-mldsa65.key</c>), that devices pinning it require.
/// Created on first use (LMS key generation takes seconds), then loaded once per process. Devices pin
/// both public keys (<c>GET /firmware/keys.json</c>) at provisioning, apart from the TUF root, so a
/// compromise of the TUF targets key alone cannot sign firmware.
/// </summary>
/// <remarks>
/// With <paramref name="cluster"/> (storage provider postgres) the next leaf is the cluster's, in table
/// <c>lms_state</c>, so nodes sharing the seed never sign with the same one-time key (RFC 8554 §5.4); a
/// state file in <c>keys/</c> is imported (the larger index wins, so it can only move forward).
/// </remarks>
public sealed partial class FirmwareSigningKeys(string dataDirectory, KeyProtector protector, UpdateKeys keys, ILogger<FirmwareSigningKeys> logger, NodeStores? cluster = null) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private ECDsa? _ecdsa;
    private LmsSigner? _lms;
    private MlDsa65? _mlDsa;

    private string KeysDirectory => Path.Combine(dataDirectory, "keys");

    /// <summary>Signs a manifest with every key; refuses when the LMS key is exhausted.</summary>
    public async Task<byte[]> SignAsync(FirmwareManifest manifest, CancellationToken cancellationToken)
    {
        // Under the lock, so a key rotation never replaces the keys while a signature is being made.
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var (ecdsa, lms) = await LoadLocked(cancellationToken);
            var signed = await SignedManifest.SignAsync(manifest, ecdsa, lms, _mlDsa, cancellationToken);
            if (lms.NearlyExhausted)
            {
                LmsNearlyExhausted(logger, lms.Remaining);
            }

            return signed;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Signatures the LMS key has left.</summary>
    public async Task<long> RemainingAsync(CancellationToken cancellationToken) => (await KeysAsync(cancellationToken)).Lms.Remaining;

    /// <summary>
    /// The public keys, as devices pin them: <c>{"ecdsaP256": PEM, "lms": hex, "lmsRemaining": n, "mlDsa65": hex,
    /// "keySet": id, "rotations": n}</c> — <c>rotations</c> is how many key rotations are published, so a device
    /// provisioned now starts after them.
    /// </summary>
    public async Task<JsonObject> PublicKeysAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var (ecdsa, lms) = await LoadLocked(cancellationToken);
            return new JsonObject
            {
                ["ecdsaP256"] = ecdsa.ExportSubjectPublicKeyInfoPem() + "\n",
                ["lms"] = Convert.ToHexStringLower(lms.PublicKey),
                ["lmsRemaining"] = lms.Remaining,
                ["mlDsa65"] = Convert.ToHexStringLower(_mlDsa!.PublicKey),
                ["keySet"] = FirmwareKeySet.Of(ecdsa, lms.PublicKey, _mlDsa.PublicKey).Id,
                ["rotations"] = PublishedRotations(),
            };
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<(ECDsa Ecdsa, LmsSigner Lms)> KeysAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            return await LoadLocked(cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    // Loads the keys once (creating them on first use); the caller holds the lock.
    private async Task<(ECDsa Ecdsa, LmsSigner Lms)> LoadLocked(CancellationToken cancellationToken, bool completingRotation = false)
    {
        if (!completingRotation && File.Exists(NextRotationPath))
        {
            throw new InvalidOperationException("a firmware key rotation is still being decided at start; retry in a moment");
        }

        if (_ecdsa is null)
        {
            _ecdsa = keys.Exists(KeyNames.FirmwareEcdsa) ? keys.Open(KeyNames.FirmwareEcdsa) : keys.Create(KeyNames.FirmwareEcdsa);
        }

        if (_lms is null)
        {
            var seedPath = Path.Combine(KeysDirectory, "firmware-lms.key");
            var statePath = Path.Combine(KeysDirectory, "firmware-lms.state");
            var file = new FileLmsStateStore(statePath);
            if (File.Exists(seedPath))
            {
                var seed = protector.LoadSecret(seedPath);
                var state = cluster is null ? file : await ClusterStateAsync(seed, file, statePath, cancellationToken);

                // A seed without its state (a partial restore) would start again at leaf 0 and reuse
                // one-time keys: refuse rather than guess (RFC 8554 §5.2).
                if (state is null || (cluster is null && !File.Exists(statePath)))
                {
                    throw new InvalidOperationException($"{seedPath} has no state file {statePath}{(cluster is null ? string.Empty : " and the cluster has no state for it")}; the LMS key cannot be used safely without it");
                }

                _lms = await LmsSigner.LoadAsync(seed, state, cancellationToken);
            }
            else
            {
                var signer = await LmsSigner.CreateAsync(
                    LmsType.Sha256M32H10, LmOtsType.Sha256N32W8, identifier => cluster is null ? file : cluster.LmsState(identifier), cancellationToken);
                protector.SaveSecret(seedPath, signer.ExportSeed());
                _lms = signer;
            }
        }

        if (_mlDsa is null)
        {
            // Stateless: a directory from before ML-DSA gets its key at the next signature.
            var mlDsaPath = Path.Combine(KeysDirectory, "firmware-mldsa65.key");
            if (File.Exists(mlDsaPath))
            {
                _mlDsa = MlDsa65.FromSeed(protector.LoadSecret(mlDsaPath));
            }
            else
            {
                var key = MlDsa65.Create();
                protector.SaveSecret(mlDsaPath, key.ExportSeed());
                _mlDsa = key;
            }
        }

        return (_ecdsa, _lms);
    }

    // The cluster's state of this key, with a local state file imported (never lowering the index); null when neither has any.
    private async Task<ILmsStateStore?> ClusterStateAsync(byte[] seed, FileLmsStateStore file, string statePath, CancellationToken cancellationToken)
    {
        var state = cluster!.LmsState(LmsSigner.IdentifierOf(seed));
        if (File.Exists(statePath))
        {
            await state.ReserveAsync(await file.LoadAsync(cancellationToken), cancellationToken);
            return state;
        }

        return await state.ExistsAsync(cancellationToken) ? state : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _ecdsa?.Dispose();
        _lms?.Dispose();
        _mlDsa?.Dispose();
        _lock.Dispose();
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "The firmware LMS key has {Remaining} signatures left; rotate the firmware keys (rampart keys firmware rotate) before it is exhausted")]
    private static partial void LmsNearlyExhausted(ILogger logger, long remaining);
}
