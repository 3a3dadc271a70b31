using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rampart.Server.Auth;
using Rampart.Server.Keys;

namespace Rampart.Server.Updates;

/// <summary>The TUF repository over HTTPS, public (its metadata is signed; devices need no credentials to read it).</summary>
public static class TufEndpoints
{
    public static IEndpointRouteBuilder MapTufEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/tuf/metadata/{name}", (string name, TufRepository repository, CancellationToken cancellationToken) =>
            ServeAsync(repository, "metadata", name, "application/json", cancellationToken)).AllowPublic();
        endpoints.MapGet("/tuf/targets/{name}", (string name, TufRepository repository, CancellationToken cancellationToken) =>
            ServeAsync(repository, "targets", name, "application/octet-stream", cancellationToken)).AllowPublic();

        // The firmware signing public keys, for provisioning: devices pin them apart from the TUF root.
        endpoints.MapGet("/firmware/keys.json", async (FirmwareSigningKeys keys, CancellationToken cancellationToken) =>
            TypedResults.Ok(await keys.PublicKeysAsync(cancellationToken))).AllowPublic();
        return endpoints;
    }

    // On a cluster the metadata comes from the cluster's store, so every node serves the same bytes the moment
    // one publishes (TUF spec §5.4: a client comparing nodes must never see one version with two contents).
    // Targets never change under a name (their file names start with their SHA-256): a local copy serves,
    // and one not copied here yet comes from the store.
    private static async Task<IResult> ServeAsync(TufRepository repository, string folder, string name, string contentType, CancellationToken cancellationToken)
    {
        if (!TufRepository.IsServableName(name))
        {
            return TypedResults.NotFound();
        }

        var path = Path.Combine(folder == "metadata" ? repository.MetadataDirectory : repository.TargetsDirectory, name);
        if (!repository.Clustered || (folder == "targets" && File.Exists(path)))
        {
            return File.Exists(path) ? TypedResults.PhysicalFile(path, contentType) : TypedResults.NotFound();
        }

        return await repository.StoredFileAsync(folder, name, cancellationToken) is { } stored ? TypedResults.Bytes(stored, contentType) : TypedResults.NotFound();
    }
}

/// <summary>Creates the repository at start and re-signs metadata before it expires (checked every 10 minutes).</summary>
public sealed partial class TufTimestampRefresher(
    TufRepository repository, KeyProtector protector, FirmwareSigningKeys signing, Rampart.Fleet.Audit.IAuditStore audit, Rampart.Fleet.Updates.IReleaseStore releases, TimeProvider time, ILogger<TufTimestampRefresher> logger) : BackgroundService
{
    /// <inheritdoc />
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!protector.Encrypts)
        {
            KeysNotEncrypted(logger);
        }

        await repository.InitializeAsync(cancellationToken);

        // A firmware key rotation a crash interrupted is decided against the log before anything signs.
        await signing.ResolvePendingRotationAsync(audit, repository, releases, cancellationToken);
        await CheckAsClientAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(10), time);
        try
        {
            do
            {
                var refresh = await repository.RefreshAsync(stoppingToken);
                if (refresh.Resigned.Count > 0)
                {
                    Resigned(logger, string.Join(", ", refresh.Resigned));
                    await CheckAsClientAsync(stoppingToken);
                }

                foreach (var warning in refresh.Warnings)
                {
                    NeedsSignature(logger, warning);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    // What was published is checked as a device would check it (the same client), so a fault shows here first.
    private async Task CheckAsClientAsync(CancellationToken cancellationToken)
    {
        if (await repository.CheckAsClientAsync(cancellationToken) is { } refusal)
        {
            RefusedByClient(logger, refusal);
        }
    }

    [LoggerMessage(EventId = 7005, Level = LogLevel.Error, Message = "TUF: the published repository fails the client's checks, devices will refuse it: {Refusal}")]
    private static partial void RefusedByClient(ILogger logger, string refusal);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning,
        Message = "Update signing keys (TUF roles, firmware ECDSA and LMS) are stored owner-only but unencrypted; set Rampart:Keys:PassphraseFile to encrypt them at rest")]
    private static partial void KeysNotEncrypted(ILogger logger);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "TUF metadata re-signed before it expires: {Roles}")]
    private static partial void Resigned(ILogger logger, string roles);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "TUF: {Warning}")]
    private static partial void NeedsSignature(ILogger logger, string warning);
}
