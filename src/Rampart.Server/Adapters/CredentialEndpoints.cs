using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Adapters.Credentials;
using Rampart.Fleet.Operators;
using Rampart.Server.Admin;
using Rampart.Server.Auth;

namespace Rampart.Server.Adapters;

/// <summary>
/// Operators' endpoints for front-door credentials, under <c>/api/v1</c> with the admin API's
/// authentication: issue and rotate a device's PSK, revoke it, register a legacy device, rotate its
/// secret, mark it replaced, and list the legacy findings.
/// </summary>
internal static class CredentialEndpoints
{
    public static IEndpointRouteBuilder MapCredentialEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").RequireAuthorization().RequireAntiforgeryForCookies();
        api.MapPost("/devices/{id}/psk", async (string id, HttpContext context, DeviceCredentials credentials, CancellationToken cancellationToken) =>
            TypedResults.Ok(IssuedSecretResponse.From(await credentials.IssuePskAsync(id, AdminActor.Of(context.User), cancellationToken))))
            .RequirePermission(Permissions.CertsIssue);
        api.MapDelete("/devices/{id}/psk", async Task<IResult> (string id, HttpContext context, DeviceCredentials credentials, CancellationToken cancellationToken) =>
            await credentials.RevokePskAsync(id, AdminActor.Of(context.User), cancellationToken)
                ? TypedResults.NoContent()
                : TypedResults.Problem($"device {id} has no PSK in force", statusCode: StatusCodes.Status404NotFound))
            .RequirePermission(Permissions.CertsRevoke);
        api.MapPost("/devices/{id}/legacy", async (string id, LegacyRegistrationRequest body, HttpContext context, DeviceCredentials credentials, CancellationToken cancellationToken) =>
            TypedResults.Ok(IssuedSecretResponse.From(await credentials.RegisterLegacyAsync(id, body.Reason, AdminActor.Of(context.User), cancellationToken))))
            .RequirePermission(Permissions.DevicesWrite);
        api.MapPost("/devices/{id}/legacy/secret", async (string id, HttpContext context, DeviceCredentials credentials, CancellationToken cancellationToken) =>
            TypedResults.Ok(IssuedSecretResponse.From(await credentials.RotateLegacyAsync(id, AdminActor.Of(context.User), cancellationToken))))
            .RequirePermission(Permissions.DevicesWrite);
        api.MapPost("/devices/{id}/legacy/replaced", async (string id, HttpContext context, DeviceCredentials credentials, CancellationToken cancellationToken) =>
        {
            await credentials.MarkReplacedAsync(id, AdminActor.Of(context.User), cancellationToken);
            return TypedResults.NoContent();
        }).RequirePermission(Permissions.DevicesWrite);
        api.MapGet("/adapters/legacy", async (DeviceCredentials credentials, CancellationToken cancellationToken) =>
            TypedResults.Ok((await credentials.ListLegacyAsync(cancellationToken)).Select(r => new LegacyFinding(r.DeviceId, r.Reason, r.RegisteredBy, r.Registered, r.Replaced, r.Replaced is null)).ToArray()))
            .RequirePermission(Permissions.DevicesRead);
        return endpoints;
    }
}

/// <summary>Body of <c>POST /api/v1/devices/{id}/legacy</c>: why the device cannot hold a certificate.</summary>
public sealed record LegacyRegistrationRequest(string Reason);

/// <summary>A secret just issued, shown once.</summary>
public sealed record IssuedSecretResponse(string DeviceId, string Kind, string KeyId, string Secret, string? Replaced)
{
    public static IssuedSecretResponse From(IssuedSecret issued) =>
        new(issued.DeviceId, issued.Kind == CredentialKind.Psk ? "psk" : "legacy", issued.KeyId, issued.Secret, issued.Replaced);

    // Redacted: a record's generated ToString would print the secret into any log or exception message.
    public override string ToString() => $"IssuedSecretResponse {{ DeviceId = {DeviceId}, Kind = {Kind}, KeyId = {KeyId} }}";
}

/// <summary>A legacy device as <c>GET /api/v1/adapters/legacy</c> lists it; <see cref="Open"/> while it is not replaced.</summary>
public sealed record LegacyFinding(string DeviceId, string Reason, string RegisteredBy, DateTimeOffset Registered, DateTimeOffset? Replaced, bool Open);
