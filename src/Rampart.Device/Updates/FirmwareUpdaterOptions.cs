using System.Security.Cryptography;
using Rampart.Updates.Tuf;

namespace Rampart.Device.Updates;

/// <summary>What the update client trusts and where it installs.</summary>
public sealed class FirmwareUpdaterOptions
{
    /// <summary>The device's model: a manifest for another model is refused.</summary>
    public required string Model { get; init; }

    /// <summary>The device's hardware revision: refused when a manifest lists revisions and not this one.</summary>
    public string? HardwareRevision { get; init; }

    /// <summary>Where TUF metadata and targets come from (untrusted).</summary>
    public required ITufRepository Repository { get; init; }

    /// <summary>
    /// The TUF root provisioned with the device (e.g. <c>1.root.json</c>): the trust anchor until the
    /// trusted-metadata directory holds a root, read-only after that (rotated roots are kept there).
    /// </summary>
    public required string TrustedRootPath { get; init; }

    /// <summary>
    /// Where the TUF metadata the device has verified is kept across updates and reboots (root, timestamp,
    /// snapshot, targets, delegated roles; owner-only, written atomically), so rolled-back or frozen
    /// metadata is refused after a restart too. Default: <c>tuf-metadata</c> beside <see cref="TrustedRootPath"/>.
    /// </summary>
    public string? MetadataDirectory { get; init; }

    /// <summary>
    /// Where downloaded targets are cached (the release being installed only), so a retried update does
    /// not download an image it already holds. Default: <c>tuf-targets</c> beside <see cref="TrustedRootPath"/>.
    /// </summary>
    public string? TargetCacheDirectory { get; init; }

    /// <summary>The firmware manifest ECDSA P-256 public key, pinned at provisioning (until a key rotation it signed replaces it).</summary>
    public required ECDsa ManifestEcdsaKey { get; init; }

    /// <summary>The firmware manifest LMS (HSS) public key, pinned at provisioning.</summary>
    public required byte[] ManifestLmsKey { get; init; }

    /// <summary>
    /// The firmware manifest ML-DSA-65 public key (FIPS 204, 1,952 bytes; <c>mlDsa65</c> in
    /// <c>/firmware/keys.json</c>), pinned at provisioning; when set, every manifest must carry a valid
    /// ML-DSA-65 signature besides ECDSA and LMS. Null: the third signature is not checked.
    /// </summary>
    public byte[]? ManifestMlDsa65Key { get; init; }

    /// <summary>
    /// Where the firmware keys trusted now are kept once a key rotation moved them on from the pinned ones
    /// (<see cref="FirmwareKeyPins"/>; owner-only, written atomically). Default: <c>firmware-keys.json</c> beside <see cref="TrustedRootPath"/>.
    /// </summary>
    public string? FirmwareKeysPath { get; init; }

    /// <summary>The A/B layout installs go to.</summary>
    public required AbSlots Slots { get; init; }

    /// <summary>Run after the "reboot" into a new image; false (or an exception) falls back to the previous slot.</summary>
    public Func<InstalledFirmware, CancellationToken, Task<bool>> HealthCheck { get; init; } = (_, _) => Task.FromResult(true);

    /// <summary>Called with every report the updater sends (progress and outcome), e.g. for a local display.</summary>
    public Action<Rampart.Updates.Rollouts.UpdateReport>? Progress { get; init; }

    /// <summary>The clock TUF expiry is judged by.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Where the TUF client logs (rotations, recoveries, cache use); none by default.</summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; init; }

    internal string Beside(string name) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(TrustedRootPath))!, name);
}
