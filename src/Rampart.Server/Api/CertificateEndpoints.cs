using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Server.Admin;

namespace Rampart.Server.Api;

/// <summary>Certificates: list a subject's, revoke, issue service certificates.</summary>
public static class CertificateEndpoints
{
    /// <summary>Maps <c>/certificates</c>, <c>/devices/{id}/certificates</c> and <c>/services/{name}/certificates</c>.</summary>
    public static RouteGroupBuilder MapCertificateEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/devices/{id}/certificates", async (string id, InventoryService inventory, ICertificateStore certificates, CancellationToken cancellationToken) =>
        {
            await inventory.GetAsync(id, cancellationToken);
            var list = await certificates.ListAsync("device", id, cancellationToken);
            return TypedResults.Ok(list.Select(c => new CertificateResponse(c.Serial, c.Profile, c.Subject, c.KeyFingerprint, c.NotBefore, c.NotAfter,
                c.Revoked, c.RevokedAt, c.RevocationReason is { } reason ? RevocationReasons.NameOf(reason) : null)).ToArray());
        });

        api.MapPost("/certificates/revoke", async (RevokeRequest body, HttpContext context, RevocationService revocation, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            if ((body.Serial is null) == (body.DeviceId is null))
            {
                throw new FleetException(FleetErrorKind.Invalid, "name either a serial or a device, not both");
            }

            if (!RevocationReasons.TryParse(body.Reason, out var reason))
            {
                throw new FleetException(FleetErrorKind.Invalid, $"unknown reason '{body.Reason}'; one of: {string.Join(", ", RevocationReasons.Names)}");
            }

            var actor = AdminActor.Of(context.User);
            if (body.Serial is not null)
            {
                return TypedResults.Ok(new RevokeResponse(await revocation.RevokeSerialAsync(body.Serial, reason, actor, cancellationToken)));
            }

            await inventory.GetAsync(body.DeviceId!, cancellationToken);
            var revoked = await revocation.RevokeSubjectAsync("device", body.DeviceId!, reason, actor, cancellationToken);
            return revoked.Count == 0
                ? throw new FleetException(FleetErrorKind.Conflict, $"device {body.DeviceId} has no unrevoked, unexpired certificate")
                : TypedResults.Ok(new RevokeResponse(revoked));
        });

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
        });
        return api;
    }
}
