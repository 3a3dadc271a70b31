using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rampart.Fleet.Updates;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Updates.Firmware;
using Rampart.Updates.Releases;

namespace Rampart.Server.Updates;

/// <summary>What <c>rampart release add</c> asks for: uploaded image (and SBOM) named by SHA-256.</summary>
public sealed record NewRelease(string? Model, string? Version, long? Svn, IReadOnlyList<string>? Hardware, string? Image, string? Sbom);

/// <summary>
/// Releases: 1. the uploaded image's manifest (model, version, svn, hardware, hash, length) is signed
/// with ECDSA and LMS; 2. image, signed manifest and SBOM are published together as TUF targets with
/// custom metadata {model, version, svn, release, kind}; 3. the release is recorded as staged. It goes
/// to production only through a four-eyes approval (<see cref="ReleasePromotion"/>).
/// </summary>
public sealed class ReleaseService(IReleaseStore store, TufRepository repository, FirmwareSigningKeys signing, ReleaseUploads uploads, IAuditLog audit, TimeProvider time)
{
    /// <summary>Largest SBOM accepted.</summary>
    public const int MaxSbomBytes = 8 * 1024 * 1024;

    /// <summary>Signs, publishes and records a release.</summary>
    public async Task<Release> AddAsync(NewRelease request, string actor, CancellationToken cancellationToken)
    {
        if (request.Model is not { } model || !DeviceIds.IsValid(model))
        {
            throw new FleetException(FleetErrorKind.Invalid, "model is required: letters, digits, '.', '_' and '-' (as device ids)");
        }

        if (request.Svn is not { } svn || svn < 0)
        {
            throw new FleetException(FleetErrorKind.Invalid, "svn (the security version number) is required and not negative");
        }

        var hardware = request.Hardware ?? [];
        if (hardware.Count > 64 || hardware.Any(h => string.IsNullOrWhiteSpace(h) || h.Length > 64))
        {
            throw new FleetException(FleetErrorKind.Invalid, "hardware lists at most 64 revisions of 1 to 64 characters");
        }

        var image = uploads.Read(request.Image ?? string.Empty, "image");
        FirmwareManifest manifest;
        try
        {
            manifest = FirmwareManifest.For(model, request.Version ?? string.Empty, svn, hardware, image);
        }
        catch (ArgumentException exception)
        {
            throw new FleetException(FleetErrorKind.Invalid, exception.Message);
        }

        byte[]? sbom = null;
        if (request.Sbom is { } sbomSha)
        {
            sbom = uploads.Read(sbomSha, "sbom");
            if (sbom.Length > MaxSbomBytes || !IsJson(sbom))
            {
                throw new FleetException(FleetErrorKind.Invalid, $"the SBOM must be a JSON document (CycloneDX or SPDX) of at most {MaxSbomBytes / (1024 * 1024)} MiB");
            }
        }

        var id = Release.IdOf(model, manifest.Version);
        if (!TufRepository.IsServableName(id + ".manifest.json"))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"'{Echo.Of(id)}' cannot name a TUF target");
        }

        if (await store.GetAsync(id, cancellationToken) is not null)
        {
            throw new FleetException(FleetErrorKind.Conflict, $"release {Echo.Of(id)} exists; a version is released once");
        }

        // 1. Sign (the LMS leaf is spent durably before the signature exists).
        var signedManifest = await signing.SignAsync(manifest, cancellationToken);

        // 2. Publish image, manifest and SBOM in one targets version.
        JsonObject Custom(string kind) => new()
        {
            ["model"] = model, ["version"] = manifest.Version, ["svn"] = svn, ["release"] = id, ["kind"] = kind,
            ["hardware"] = new JsonArray([.. hardware.Select(h => (JsonNode)h)]),
        };
        var targets = new List<TufRepository.NewTarget>
        {
            new($"{id}.bin", image, Custom("image")),
            new($"{id}.manifest.json", signedManifest, Custom("manifest")),
        };
        if (sbom is not null)
        {
            targets.Add(new($"{id}.sbom.json", sbom, Custom("sbom")));
        }

        await repository.AddTargetsAsync(targets, cancellationToken);

        // 3. Record it with its entry in one transaction. The targets are published first (signing and
        // file writes have no place on the audit writer): a node that dies between the two leaves
        // targets that no release names, which grant nothing (a device installs only what a rollout of
        // a production release directs), which the same request, retried, replaces, and which the next
        // start removes (OrphanReleaseTargets). The uploads are
        // deleted only after the commit, so that retry still has its bytes.
        var release = new Release(id, model, manifest.Version, svn, hardware, $"{id}.bin", $"{id}.manifest.json", manifest.ImageSha256, manifest.ImageLength,
            sbom is null ? null : request.Sbom!.ToLowerInvariant(), ReleaseStatus.Staged, actor, time.GetUtcNow(), null, null);
        var record = new AuditRecord(actor, "release.added", $"release:{id}", AuditOutcome.Success, new Dictionary<string, string>
        {
            ["model"] = model,
            ["version"] = manifest.Version,
            ["svn"] = svn.ToString(CultureInfo.InvariantCulture),
            ["image-sha256"] = manifest.ImageSha256,
            ["image-length"] = manifest.ImageLength.ToString(CultureInfo.InvariantCulture),
            ["sbom-sha256"] = release.SbomSha256 ?? "-",
        });
        var added = await audit.CommitAsync(async (transaction, token) =>
            await store.TryAddAsync(transaction, release with { Created = transaction.Now }, token)
                ? AuditedOutcome<bool>.Done(true, record)
                : AuditedOutcome<bool>.Nothing(false), cancellationToken);
        if (!added.Value)
        {
            throw new FleetException(FleetErrorKind.Conflict, $"release {Echo.Of(id)} exists; a version is released once");
        }

        uploads.Delete(request.Image!);
        if (request.Sbom is not null)
        {
            uploads.Delete(request.Sbom);
        }

        return release;
    }

    /// <summary>The release, or a not-found error.</summary>
    public async Task<Release> GetAsync(string id, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) ?? throw new FleetException(FleetErrorKind.NotFound, $"no release {Echo.Of(id)}");

    /// <summary>Releases, newest first.</summary>
    public Task<IReadOnlyList<Release>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(500, cancellationToken);

    private static bool IsJson(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
