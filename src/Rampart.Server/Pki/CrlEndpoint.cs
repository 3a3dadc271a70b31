using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Certificates;

namespace Rampart.Server.Pki;

/// <summary><c>GET /pki/crl</c>: the current CRL, DER (RFC 5280 §5; RFC 2585 §4.2 media type).</summary>
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
        return endpoints;
    }
}
