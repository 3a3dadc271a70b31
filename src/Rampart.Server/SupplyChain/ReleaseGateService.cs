using Rampart.Fleet.Updates;
using Rampart.Server.Updates;
using Rampart.SupplyChain;
using Rampart.SupplyChain.Policy;
using Rampart.SupplyChain.Stores;
using Rampart.Updates.Firmware;
using Rampart.Updates.Releases;

namespace Rampart.Server.SupplyChain;

/// <summary>
/// The release gate on the node (<see cref="ReleaseGate.Standard"/>): it gathers what the rules judge —
/// 1. the release's SBOM (indexed from its TUF target), 2. both signatures of its signed manifest
/// verified under the node's firmware keys, 3. its findings against the stored vulnerability data with
/// the VEX statements for the release and its model — and asks the rules. With
/// <see cref="SupplyChainOptions.EnforceGate"/> off it refuses nothing.
/// </summary>
public sealed class ReleaseGateService(ReleaseSboms releaseSboms, NodeStoresView stores, SupplyChainService service, TufRepository repository,
    FirmwareSigningKeys keys, SupplyChainOptions options) : IReleasePromotionGate
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> RefusalsAsync(Release release, CancellationToken cancellationToken) =>
        options.EnforceGate ? (await EvaluateAsync(release, cancellationToken)).Refusals : [];

    /// <summary>The gate's verdict on a release, whether or not it is enforced.</summary>
    public async Task<(IReadOnlyList<string> Refusals, IReadOnlyList<Assessment> Assessments)> EvaluateAsync(Release release, CancellationToken cancellationToken)
    {
        var sbom = await stores.Sboms.GetAsync(SbomScope.Release(release.Id), cancellationToken);
        if (release.SbomSha256 is not null && sbom?.Sha256 != release.SbomSha256)
        {
            sbom = await releaseSboms.IndexAsync(release, cancellationToken);
        }

        IReadOnlyList<Assessment> assessments = [];
        if (sbom is { Problem: null })
        {
            var statements = (await stores.Vex.ListAsync(cancellationToken))
                .Where(v => v.Scope == SbomScope.Release(release.Id) || v.Scope == SbomScope.Model(release.Model)).Select(v => v.Statement).ToArray();
            assessments = Assessment.Of(sbom.Components, await service.IndexAsync(cancellationToken), statements, await service.PolicyAsync(cancellationToken));
        }

        var context = new GateContext(release.Id, sbom, await SignatureRefusalAsync(release, cancellationToken), assessments);
        return (ReleaseGate.Standard(options.GateSeverity, options.GateKnownExploited).Refusals(context), assessments);
    }

    private async Task<string?> SignatureRefusalAsync(Release release, CancellationToken cancellationToken)
    {
        if ((await repository.TargetInfoAsync(release.ManifestTarget, cancellationToken))?["hashes"]?["sha256"]?.GetValue<string>() is not { } sha)
        {
            return "the signed manifest is not a published TUF target";
        }

        var path = Path.Combine(repository.TargetsDirectory, $"{sha}.{release.ManifestTarget}");
        if (!File.Exists(path))
        {
            return "the signed manifest is missing";
        }

        var published = await keys.PublicKeysAsync(cancellationToken);
        using var ecdsa = System.Security.Cryptography.ECDsa.Create();
        ecdsa.ImportFromPem(published["ecdsaP256"]!.GetValue<string>());
        var (manifest, refusal) = SignedManifest.Verify(await File.ReadAllBytesAsync(path, cancellationToken), ecdsa, Convert.FromHexString(published["lms"]!.GetValue<string>()), 0);
        return refusal ?? (manifest!.ImageSha256 != release.ImageSha256 ? "the signed manifest names another image than the release records" : null);
    }
}
