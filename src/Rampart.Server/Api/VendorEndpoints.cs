using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Vendors;
using Rampart.Server.Admin;
using Rampart.Server.Auth;

namespace Rampart.Server.Api;

/// <summary>Manufacturer CAs for zero-touch enrollment.</summary>
public static class VendorEndpoints
{
    /// <summary>Maps <c>/vendors</c>.</summary>
    public static RouteGroupBuilder MapVendorEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/vendors", async (VendorTrustRequest body, HttpContext context, VendorTrustService vendors, CancellationToken cancellationToken) =>
        {
            var trust = await vendors.AddAsync(body.Name, body.CertificatePem, AdminActor.Of(context.User), cancellationToken);
            return TypedResults.Created($"/api/v1/vendors/{trust.Name}", new VendorTrustResponse(trust.Name, trust.Fingerprint, trust.Added));
        }).RequirePermission(Permissions.VendorsWrite);

        api.MapGet("/vendors", async (IVendorTrustStore vendors, CancellationToken cancellationToken) =>
            TypedResults.Ok((await vendors.ListAsync(cancellationToken)).Select(v => new VendorTrustResponse(v.Name, v.Fingerprint, v.Added)).ToArray()))
            .RequirePermission(Permissions.CertsRead);
        return api;
    }
}
