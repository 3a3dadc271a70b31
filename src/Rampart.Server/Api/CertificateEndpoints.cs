using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Operators;
using Rampart.Server.Admin;
using Rampart.Server.Auth;

namespace Rampart.Server.Api;

/// <summary>Certificates: list a subject's, revoke, issue service certificates.</summary>
public static class CertificateEndpoints
{
    /// <summary>Maps <c>/certificates</c>, <c>/devices/{id}/certificates</c> and <c>/services/{name}/certificates</c>.</summary>
    public static RouteGroupBuilder MapCertificateEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/devices/{id}/certificates", async (string id, HttpContext context, InventoryService inventory, ICertificateStore certificates, CancellationToken cancellationToken) =>
        {
            await DeviceEndpoints.VisibleAsync(id, context, inventory, cancellationToken);
            var list = await certificates.ListAsync("device", id, cancellationToken);
            return TypedResults.Ok(list.Select(c => new CertificateResponse(c.Serial, c.Profile, c.Subject, c.KeyFingerprint, c.NotBefore, c.NotAfter,
                c.Revoked, c.RevokedAt, c.RevocationReason is { } reason ? RevocationReasons.NameOf(reason) : null)).ToArray());
        }).RequirePermission(Permissions.CertsRead);

        api.MapPost("/certificates/revoke", async (RevokeRequest body, HttpContext context, RevocationService revocation, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            if ((body.Serial is null) == (body.DeviceId is null))
            {
                throw new FleetException(FleetErrorKind.Invalid, "name either a serial or a device, not both");
            }

            if (!RevocationReasons.TryParse(body.Reason, out var reason))
            {
                throw new FleetException(FleetErrorKind.Invalid, $"unknown reason '{Echo.Of(body.Reason)}'; one of: {string.Join(", ", RevocationReasons.Names)}");
            }

            var actor = AdminActor.Of(context.User);
            if (body.Serial is not null)
            {
                return TypedResults.Ok(new RevokeResponse(await revocation.RevokeSerialAsync(body.Serial, reason, actor, cancellationToken)));
            }

            await DeviceEndpoints.VisibleAsync(body.DeviceId!, context, inventory, cancellationToken);
            var revoked = await revocation.RevokeSubjectAsync("device", body.DeviceId!, reason, actor, cancellationToken);
            return revoked.Count == 0
                ? throw new FleetException(FleetErrorKind.Conflict, $"device {Echo.Of(body.DeviceId)} has no unrevoked, unexpired certificate")
                : TypedResults.Ok(new RevokeResponse(revoked));
        }).RequirePermission(Permissions.CertsRevoke);

        api.MapPost("/certificates/revoke-bulk", async Task<IResult> (BulkRevokeRequest body, HttpContext context, BulkRevocation bulk, ApprovalService approvals,
            IOptions<ApprovalOptions> options, CancellationToken cancellationToken) =>
        {
            var request = new BulkRevocation.Request(body.DeviceIds ?? [], body.Reason ?? "unspecified");
            BulkRevocation.Validate(request);
            var identity = OperatorClaims.Identity(context.User);
            if (request.DeviceIds.Count <= options.Value.BulkRevocationThreshold)
            {
                return TypedResults.Ok(new BulkRevokeResponse(await bulk.RevokeAsync(request, identity.Name, cancellationToken), null));
            }

            // Four-eyes: more devices than the threshold wait for a second person.
            var approval = await approvals.RequestAsync(bulk.Name, JsonSerializer.Serialize(request, JsonSerializerOptions.Web),
                $"revoke the certificates of {request.DeviceIds.Count} devices ({request.Reason})", identity, cancellationToken);
            return TypedResults.Accepted($"/api/v1/approvals/{approval.Id}", new BulkRevokeResponse(null, ApprovalEndpoints.From(approval)));
        }).RequirePermission(Permissions.CertsRevoke);

        api.MapPost("/services/{name}/certificates", async (string name, ServiceCertificateRequest body, HttpContext context, ServiceCertificates services,
            CertificateIssuer issuer, CancellationToken cancellationToken) =>
        {
            var der = CsrPem.ToDer(body.CsrPem)
                ?? throw new FleetException(FleetErrorKind.Invalid, "csrPem is not a PEM CERTIFICATE REQUEST");
            using var certificate = await services.IssueAsync(name, der, AdminActor.Of(context.User), cancellationToken);
            var chain = new StringBuilder();
            foreach (var ca in issuer.Chain)
            {
                chain.Append(ca.ExportCertificatePem()).Append('\n');
            }

            return TypedResults.Ok(new ServiceCertificateResponse(certificate.ExportCertificatePem() + "\n", chain.ToString()));
        }).RequirePermission(Permissions.CertsIssue);
        return api;
    }
}
