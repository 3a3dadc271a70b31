using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Updates;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators;
using Rampart.Server.Admin;
using Rampart.Server.Auth;
using Rampart.Server.Http;
using Rampart.Server.Updates;
using Rampart.Updates.Releases;
using Rampart.Updates.Rollouts;

namespace Rampart.Server.Api;

/// <summary>Releases (upload, add, promote through four-eyes), rollouts, and the TUF root ceremony.</summary>
public static class ReleaseEndpoints
{
    /// <summary>Maps <c>/releases</c>, <c>/rollouts</c> and <c>/tuf/root</c>.</summary>
    public static RouteGroupBuilder MapReleaseEndpoints(this RouteGroupBuilder api)
    {
        // A raw body (image or SBOM), larger than the node's 1 MiB default: raised for this endpoint only,
        // as metadata so routing sets it before the body limit middleware reads it.
        api.MapPost("/releases/uploads", async (HttpContext context, ReleaseUploads uploads, CancellationToken cancellationToken) =>
        {
            var (sha256, length) = await uploads.StoreAsync(context.Request.Body, cancellationToken);
            return TypedResults.Ok(new UploadResponse(sha256, length));
        }).WithMetadata(new BodySizeLimit(ReleaseUploads.MaxBytes)).RequirePermission(Permissions.ReleasesWrite);

        api.MapPost("/releases", async (NewRelease body, HttpContext context, ReleaseService releases, TufRepository repository, CancellationToken cancellationToken) =>
            TypedResults.Ok(From(await releases.AddAsync(body, AdminActor.Of(context.User), cancellationToken), repository))).RequirePermission(Permissions.ReleasesWrite);

        api.MapGet("/releases", async (ReleaseService releases, TufRepository repository, CancellationToken cancellationToken) =>
            TypedResults.Ok((await releases.ListAsync(cancellationToken)).Select(r => From(r, repository)).ToArray())).RequirePermission(Permissions.DevicesRead);

        api.MapGet("/releases/{id}", async (string id, ReleaseService releases, TufRepository repository, CancellationToken cancellationToken) =>
            TypedResults.Ok(From(await releases.GetAsync(id, cancellationToken), repository))).RequirePermission(Permissions.DevicesRead);

        // Always four-eyes: the request waits for a second holder of releases:approve.
        api.MapPost("/releases/{id}/promote", async (string id, HttpContext context, ReleaseService releases, ReleasePromotion promotion, ApprovalService approvals,
            CancellationToken cancellationToken) =>
        {
            var release = await releases.GetAsync(id, cancellationToken);
            if (release.Status != ReleaseStatus.Staged)
            {
                throw new FleetException(FleetErrorKind.Conflict, $"release {Echo.Of(id)} is {release.Status.ToString().ToLowerInvariant()} already");
            }

            await promotion.CheckGatesAsync(release, cancellationToken);
            var approval = await approvals.RequestAsync(promotion.Name, release.Id,
                $"promote {release.Id} (svn {release.SecurityVersion}, image sha256 {release.ImageSha256[..16]}…) to production", OperatorClaims.Identity(context.User), cancellationToken);
            return TypedResults.Accepted($"/api/v1/approvals/{approval.Id}", ApprovalEndpoints.From(approval));
        }).RequirePermission(Permissions.ReleasesApprove);

        // What the device last reported it runs (update reports on devices/{id}/state): what rollback protection compares against.
        api.MapGet("/devices/{id}/firmware", async (string id, HttpContext context, Fleet.Inventory.InventoryService inventory, IRolloutStore store,
            CancellationToken cancellationToken) =>
        {
            await DeviceEndpoints.VisibleAsync(id, context, inventory, cancellationToken);
            return (await store.ReportedFirmwareAsync([id], cancellationToken)).TryGetValue(id, out var runs)
                ? TypedResults.Ok(new ReportedFirmwareResponse(id, runs.Version, runs.SecurityVersion, runs.Reported))
                : throw new FleetException(FleetErrorKind.NotFound, $"device {Echo.Of(id)} has not reported its firmware");
        }).RequirePermission(Permissions.DevicesRead);

        api.MapPost("/rollouts", async (NewRolloutRequest body, HttpContext context, RolloutService rollouts, CancellationToken cancellationToken) =>
            TypedResults.Ok(From(await rollouts.CreateAsync(body.Release ?? string.Empty, body.Select ?? string.Empty, body.ToPolicy(), AdminActor.Of(context.User),
                cancellationToken)))).RequirePermission(Permissions.RolloutsWrite);

        api.MapGet("/rollouts", async (RolloutService rollouts, CancellationToken cancellationToken) =>
            TypedResults.Ok((await rollouts.ListAsync(cancellationToken)).Select(r => From(new RolloutStatus(r, new RolloutCounts(new Dictionary<RolloutDeviceState, int>()), []))).ToArray()))
            .RequirePermission(Permissions.DevicesRead);

        api.MapGet("/rollouts/{id:long}", async (long id, RolloutService rollouts, CancellationToken cancellationToken) =>
            TypedResults.Ok(From(await rollouts.StatusAsync(id, cancellationToken)))).RequirePermission(Permissions.DevicesRead);

        api.MapGet("/rollouts/{id:long}/devices", async (long id, string? state, string? after, int? limit, RolloutService rollouts, CancellationToken cancellationToken) =>
        {
            RolloutDeviceState? filter = state is null ? null
                : RolloutDeviceStates.TryParse(state, out var parsed) ? parsed
                : throw new FleetException(FleetErrorKind.Invalid, $"unknown state '{Echo.Of(state)}'");
            return TypedResults.Ok((await rollouts.DevicesAsync(id, filter, after, limit ?? 100, cancellationToken))
                .Select(d => new RolloutDeviceResponse(d.DeviceId, d.Wave, d.State.Name(), d.Detail, d.Notified, d.Updated)).ToArray());
        }).RequirePermission(Permissions.DevicesRead);

        foreach (var (verb, steer) in new (string, Func<RolloutService, long, string, CancellationToken, Task<RolloutStatus>>)[]
        {
            ("pause", (s, id, actor, ct) => s.PauseAsync(id, actor, ct)),
            ("resume", (s, id, actor, ct) => s.ResumeAsync(id, actor, ct)),
            ("cancel", (s, id, actor, ct) => s.CancelAsync(id, actor, ct)),
        })
        {
            api.MapPost($"/rollouts/{{id:long}}/{verb}", async (long id, HttpContext context, RolloutService rollouts, CancellationToken cancellationToken) =>
                TypedResults.Ok(From(await steer(rollouts, id, AdminActor.Of(context.User), cancellationToken)))).RequirePermission(Permissions.RolloutsWrite);
        }

        api.MapPost("/tuf/root/prepare", async (PrepareRootRequest body, TufRepository repository, CancellationToken cancellationToken) =>
        {
            var rootKeys = (body.RootKeys ?? []).Select(PublicKey).ToArray();
            var targetsKeys = (body.TargetsKeys ?? []).Select(PublicKey).ToArray();
            try
            {
                return TypedResults.Ok(await repository.PrepareRootAsync(
                    new TufRepository.RoleChange(rootKeys, body.Threshold), new TufRepository.RoleChange(targetsKeys, body.TargetsThreshold), cancellationToken));
            }
            finally
            {
                foreach (var key in rootKeys.Concat(targetsKeys))
                {
                    key.Dispose();
                }
            }
        }).RequirePermission(Permissions.SystemWrite);

        api.MapPost("/tuf/root", async (SignedMetadataRequest body, HttpContext context, TufRepository repository, IAuditLog audit, CancellationToken cancellationToken) =>
        {
            var (signed, signatures) = body.Validate("root");
            var version = await repository.ImportRootAsync(signed, signatures, cancellationToken);
            await audit.AppendAsync(new AuditRecord(AdminActor.Of(context.User), "tuf.root-rotated", $"tuf:root/{version}", AuditOutcome.Success,
                new Dictionary<string, string> { ["signatures"] = signatures.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) }), cancellationToken);
            return TypedResults.Ok(new ImportMetadataResponse(version));
        }).RequirePermission(Permissions.SystemWrite);

        api.MapPost("/tuf/targets/prepare", async (TufRepository repository, CancellationToken cancellationToken) =>
            TypedResults.Ok(await repository.PrepareTargetsAsync(cancellationToken))).RequirePermission(Permissions.ReleasesWrite);

        api.MapPost("/tuf/targets", async (SignedMetadataRequest body, HttpContext context, TufRepository repository, IAuditLog audit, CancellationToken cancellationToken) =>
        {
            var (signed, signatures) = body.Validate("targets");
            var version = await repository.ImportTargetsAsync(signed, signatures, cancellationToken);
            await audit.AppendAsync(new AuditRecord(AdminActor.Of(context.User), "tuf.targets-signed", $"tuf:targets/{version}", AuditOutcome.Success,
                new Dictionary<string, string> { ["signatures"] = signatures.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) }), cancellationToken);
            return TypedResults.Ok(new ImportMetadataResponse(version));
        }).RequirePermission(Permissions.ReleasesWrite);

        // Firmware key rotation (FirmwareSigningKeys.RotateAsync): new keys, handed over by a rotation the current keys sign.
        api.MapPost("/firmware/keys/rotate", async (HttpContext context, FirmwareSigningKeys signing, IAuditStore auditStore, IAuditLog audit, TufRepository repository, IReleaseStore releases, CancellationToken cancellationToken) =>
            TypedResults.Ok(await signing.RotateAsync(auditStore, audit, repository, releases, AdminActor.Of(context.User), cancellationToken))).RequirePermission(Permissions.SystemWrite);

        return api;
    }

    private static System.Security.Cryptography.ECDsa PublicKey(string pem)
    {
        var key = System.Security.Cryptography.ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return key.KeySize == 256 ? key : throw new FleetException(FleetErrorKind.Invalid, "root keys are ECDSA P-256");
        }
        catch (Exception exception) when (exception is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            key.Dispose();
            throw new FleetException(FleetErrorKind.Invalid, $"a root key is not a PEM public key: {exception.Message}");
        }
    }

    private static ReleaseResponse From(Release r, TufRepository repository) => new(r.Id, r.Model, r.Version, r.SecurityVersion, r.Hardware, r.ImageTarget,
        r.ManifestTarget, r.ImageSha256, r.ImageLength, r.SbomSha256, r.Status.ToString().ToLowerInvariant(), repository.TargetInfo(r.ManifestTarget) is not null,
        r.CreatedBy, r.Created, r.PromotedBy, r.Promoted);

    private static RolloutResponse From(RolloutStatus s) => new(s.Rollout.Id, s.Rollout.ReleaseId, s.Rollout.Selector, s.Rollout.State.ToString().ToLowerInvariant(),
        s.Rollout.Reason, s.Rollout.CurrentWave, s.Rollout.WaveCount, s.Rollout.Policy, s.Rollout.CreatedBy, s.Rollout.Created, s.Rollout.Updated,
        Names(s.Counts), s.Waves.Select(Names).ToArray());

    private static Dictionary<string, int> Names(RolloutCounts counts) =>
        Enum.GetValues<RolloutDeviceState>().Where(state => counts[state] > 0).ToDictionary(state => state.Name(), state => counts[state]);
}

/// <summary>The firmware a device reports it runs.</summary>
public sealed record ReportedFirmwareResponse(string DeviceId, string Version, long Svn, DateTimeOffset Reported);

/// <summary>An upload's hash and size.</summary>
public sealed record UploadResponse(string Sha256, long Length);

/// <summary>The API view of a release.</summary>
public sealed record ReleaseResponse(
    string Id, string Model, string Version, long Svn, IReadOnlyList<string> Hardware, string ImageTarget, string ManifestTarget, string ImageSha256,
    long ImageLength, string? SbomSha256, string Status, bool Published, string CreatedBy, DateTimeOffset Created, string? PromotedBy, DateTimeOffset? Promoted);

/// <summary><c>rampart rollout create</c>: the release, the selector, and the policy (defaults where absent).</summary>
public sealed record NewRolloutRequest(
    string? Release, string? Select, int? CanaryCount, double? CanaryPercent, IReadOnlyList<double>? Steps, int? RatePerMinute, double? AbortFailurePercent,
    int? MinimumExecuted, int? DeviceTimeoutSeconds)
{
    /// <summary>The policy these fields give.</summary>
    public RolloutPolicy ToPolicy()
    {
        var defaults = new RolloutPolicy();
        return new RolloutPolicy
        {
            CanaryCount = CanaryCount ?? defaults.CanaryCount,
            CanaryPercent = CanaryPercent,
            Steps = Steps ?? defaults.Steps,
            RatePerMinute = RatePerMinute ?? defaults.RatePerMinute,
            AbortFailurePercent = AbortFailurePercent ?? defaults.AbortFailurePercent,
            MinimumExecuted = MinimumExecuted ?? defaults.MinimumExecuted,
            DeviceTimeout = DeviceTimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : defaults.DeviceTimeout,
        };
    }
}

/// <summary>A rollout and its progress (device counts by state, overall and per wave).</summary>
public sealed record RolloutResponse(
    long Id, string Release, string Selector, string State, string? Reason, int CurrentWave, int Waves, RolloutPolicy Policy, string CreatedBy,
    DateTimeOffset Created, DateTimeOffset Updated, IReadOnlyDictionary<string, int> Devices, IReadOnlyList<Dictionary<string, int>> WaveDevices);

/// <summary>One device in a rollout.</summary>
public sealed record RolloutDeviceResponse(string DeviceId, int Wave, string State, string? Detail, DateTimeOffset? Notified, DateTimeOffset Updated);

/// <summary>Root N+1 to prepare: new root and targets public keys (PEM) and thresholds; absent ones stay as they are.</summary>
public sealed record PrepareRootRequest(IReadOnlyList<string>? RootKeys, int? Threshold, IReadOnlyList<string>? TargetsKeys = null, int? TargetsThreshold = null);

/// <summary>Prepared metadata with the signatures made for it offline.</summary>
public sealed record SignedMetadataRequest(JsonObject? Signed, IReadOnlyList<JsonObject>? Signatures)
{
    /// <summary>The parts, or a clear refusal.</summary>
    public (JsonObject Signed, IReadOnlyList<JsonObject> Signatures) Validate(string role) =>
        Signed is not null && Signatures is { Count: <= 64 }
            ? (Signed, Signatures)
            : throw new FleetException(FleetErrorKind.Invalid, $"give the prepared {role} ('signed') and at most 64 signatures");
}

/// <summary>The version now published.</summary>
public sealed record ImportMetadataResponse(long Version);
