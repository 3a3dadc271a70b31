using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Storage.Migrations;
using Rampart.Storage.Sqlite;

namespace Rampart.Server.Health;

/// <summary><c>/healthz</c> (the process serves) and <c>/readyz</c> (it can do its work).</summary>
public static class HealthEndpoints
{
    /// <summary>Maps both probes; they reveal nothing beyond readiness.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => TypedResults.Text("ok\n"));
        endpoints.MapGet("/readyz", async Task<IResult> (SqliteDatabase database, CancellationToken cancellationToken) =>
        {
            if (!await database.IsReachableAsync(cancellationToken))
            {
                return TypedResults.Json(new Readiness("not-ready", "database unreachable"), statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            var runner = new MigrationRunner(database);
            var version = await runner.CurrentVersionAsync(cancellationToken);
            return version == runner.LatestVersion
                ? TypedResults.Json(new Readiness("ready", null))
                : TypedResults.Json(
                    new Readiness("not-ready", $"schema version {version}, expected {runner.LatestVersion}"),
                    statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }

    private sealed record Readiness(string Status, string? Reason);
}
