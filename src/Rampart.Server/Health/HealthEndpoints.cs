using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Storage;

namespace Rampart.Server.Health;

/// <summary><c>/healthz</c> (the process serves) and <c>/readyz</c> (it can do its work: its storage answers, at the expected schema, and a cluster node's NATS is connected).</summary>
public static class HealthEndpoints
{
    /// <summary>How long /readyz waits for the database before calling it unreachable (a load balancer polls it).</summary>
    public static readonly TimeSpan StorageProbeTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Maps both probes; they reveal nothing beyond readiness (never where the database is).</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => TypedResults.Text("ok\n"));
        endpoints.MapGet("/readyz", async Task<IResult> (NodeStores stores, HttpContext context, CancellationToken cancellationToken) =>
        {
            // A cluster node is ready only while its NATS connection is open (issue 15, "Operations").
            if (context.RequestServices.GetService(typeof(Cluster.ClusterNode)) is Cluster.ClusterNode { Connected: false })
            {
                return TypedResults.Json(new Readiness("not-ready", "NATS unreachable"), statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            // A node whose PKCS#11 token is gone cannot enroll or sign (issue 20): not ready, with the token's reason.
            if (context.RequestServices.GetService(typeof(Keys.Hsm.TokenHealth)) is Keys.Hsm.TokenHealth { UnavailableReason: { } keysReason })
            {
                return TypedResults.Json(new Readiness("not-ready", "signing keys unavailable: " + keysReason), statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(StorageProbeTimeout);
            var (reachable, version, latest) = await ProbeAsync(stores, deadline.Token);
            if (!reachable)
            {
                return TypedResults.Json(new Readiness("not-ready", "database unreachable"), statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            return version == latest
                ? TypedResults.Json(new Readiness("ready", null))
                : TypedResults.Json(
                    new Readiness("not-ready", $"schema version {version}, expected {latest}"),
                    statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }

    private static async Task<(bool Reachable, int Version, int Latest)> ProbeAsync(NodeStores stores, CancellationToken cancellationToken)
    {
        try
        {
            if (!await stores.IsReachableAsync(cancellationToken))
            {
                return (false, 0, 0);
            }

            var (version, latest) = await stores.SchemaVersionAsync(cancellationToken);
            return (true, version, latest);
        }
        catch (Exception exception) when (exception is OperationCanceledException || StorageUnavailableHandler.IsStorageOutage(exception))
        {
            return (false, 0, 0);
        }
    }

    private sealed record Readiness(string Status, string? Reason);
}
