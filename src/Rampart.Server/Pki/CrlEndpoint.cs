using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Certificates;

namespace Rampart.Server.Pki;

/// <summary><c>GET /pki/crl</c>: the current CRL, DER; <c>GET /pki/crl/previous</c>: the replaced issuing CA's during a rollover overlap, (RFC 5280 §5; RFC 2585 §4.2 media type).</summary>
public static class CrlEndpoint
{
    /// <summary>Maps the endpoint; anyone may fetch the CRL.</summary>
    public static IEndpointRouteBuilder MapCrlEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/pki/crl", async (HttpContext context, CrlPublisher publisher, CancellationToken cancellationToken) =>
        {
            var crl = await publisher.GetCurrentAsync(cancellationToken);
            context.Response.Headers.CacheControl = "max-age=300";
            return TypedResults.Bytes(crl.Der, "application/pkix-crl");
        });

        // During an issuing CA rollover's overlap: the CRL of the replaced issuing CA (docs/keys.md, Rotation).
        var previous = new Lazy<Keys.PreviousIssuerCrl>(() => new(
            endpoints.ServiceProvider.GetRequiredService<Rampart.Pki.Authority.CertificateAuthority>(),
            endpoints.ServiceProvider.GetRequiredService<CrlPublisher>(),
            endpoints.ServiceProvider.GetRequiredService<ICertificateStore>()));
        endpoints.MapGet("/pki/crl/previous", async (HttpContext context, CancellationToken cancellationToken) =>
        {
            if (await previous.Value.GetAsync(cancellationToken) is not { } der)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: "no issuing CA rollover is in its overlap: there is no previous issuing CA");
            }

            context.Response.Headers.CacheControl = "max-age=300";
            return TypedResults.Bytes(der, "application/pkix-crl");
        });
        return endpoints;
    }
}
