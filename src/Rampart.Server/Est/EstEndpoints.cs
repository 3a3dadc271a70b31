using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Enrollment;
using Rampart.Pki.Est;

namespace Rampart.Server.Est;

/// <summary>
/// EST (RFC 7030) at <c>/.well-known/est/</c>: cacerts, simpleenroll, simplereenroll, csrattrs.
/// This class adapts HTTP to <see cref="EnrollmentService"/>: content types, base64 bodies, size
/// limits, credentials; the decisions are the service's.
/// </summary>
public static class EstEndpoints
{
    /// <summary>Largest request body accepted (base64 text of a PKCS#10 request).</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Maps the four operations.</summary>
    public static IEndpointRouteBuilder MapEstEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var est = endpoints.MapGroup("/.well-known/est");

        // RFC 7030 §4.1: the CA certificates, no authentication required, the issuing CA first. They
        // change only with a live issuing CA rollover, so the certs-only answer is encoded once per
        // generation of the authority (devices read it to see that their issuer was replaced).
        var issuer = new Lazy<CertificateIssuer>(() => endpoints.ServiceProvider.GetRequiredService<CertificateIssuer>());
        // A reference swapped whole (read and written by concurrent requests), never a struct that could tear.
        Tuple<int, string>? caCerts = null;
        est.MapGet("/cacerts", (HttpContext context) =>
        {
            var generation = issuer.Value.Authority.Generation;
            var cached = Volatile.Read(ref caCerts);
            if (cached is null || cached.Item1 != generation)
            {
                cached = Tuple.Create(generation, EstEncoding.CertsOnly(issuer.Value.Chain));
                Volatile.Write(ref caCerts, cached);
            }

            return Base64Reply(context, cached.Item2, EstEncoding.CaCertsContentType);
        });

        // RFC 7030 §4.5: what the CA wants in a request.
        est.MapGet("/csrattrs", (HttpContext context) => Base64Reply(context, EstEncoding.CsrAttributes(), EstEncoding.CsrAttrsContentType));

        est.MapPost("/simpleenroll", (HttpContext context, EnrollmentService enrollment, CancellationToken cancellationToken) =>
            EnrollAsync(context, EstOperation.Enroll, enrollment, cancellationToken));
        est.MapPost("/simplereenroll", (HttpContext context, EnrollmentService enrollment, CancellationToken cancellationToken) =>
            EnrollAsync(context, EstOperation.Reenroll, enrollment, cancellationToken));
        return endpoints;
    }

    private static async Task<IResult> EnrollAsync(HttpContext context, EstOperation operation, EnrollmentService enrollment, CancellationToken cancellationToken)
    {
        // 1. RFC 7030 §4.2.1: a base64-encoded PKCS#10 request as application/pkcs10.
        if (context.Request.ContentType?.Split(';')[0].Trim().Equals(EstEncoding.Pkcs10ContentType, StringComparison.OrdinalIgnoreCase) != true)
        {
            return Text(StatusCodes.Status415UnsupportedMediaType, $"Content-Type must be {EstEncoding.Pkcs10ContentType} (RFC 7030 §4.2.1)");
        }

        var body = await ReadBoundedAsync(context.Request, cancellationToken);
        if (body is null)
        {
            return Text(StatusCodes.Status413PayloadTooLarge, $"the request body is over {MaxBodyBytes} bytes");
        }

        var der = EstEncoding.DecodeBase64Body(Encoding.ASCII.GetString(body));
        if (der is null)
        {
            return Text(StatusCodes.Status400BadRequest, "the body is not base64 (RFC 7030 §4.2.1: base64-encoded DER PKCS#10)");
        }

        // 2. Credentials, captured once: Authorization header and TLS client certificate.
        if (!TryReadAuthorization(context.Request, out var user, out var secret))
        {
            return Unauthorized("the Authorization header is malformed; use Basic (user = device id, password = bootstrap token) or Bearer");
        }

        var clientCertificate = await context.Connection.GetClientCertificateAsync(cancellationToken);
        var credentials = new EstCredentials(user, secret, clientCertificate, context.Connection.RemoteIpAddress?.ToString() ?? "unknown");

        // 3. Decide, then answer: RFC 7030 §4.2.3 certs-only with the new certificate.
        var result = await enrollment.EnrollAsync(operation, credentials, der, cancellationToken);
        if (result.Certificate is { } certificate)
        {
            using (certificate)
            {
                return Base64Reply(context, EstEncoding.CertsOnly([X509CertificateLoader.LoadCertificate(certificate.RawData)]), EstEncoding.CertsOnlyContentType);
            }
        }

        var refusal = result.Refusal!;
        switch (refusal.Kind)
        {
            case EnrollmentRefusalKind.Unauthenticated:
                return Unauthorized(refusal.Message);
            case EnrollmentRefusalKind.RateLimited:
                context.Response.Headers.RetryAfter = Math.Ceiling(refusal.RetryAfter?.TotalSeconds ?? 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Text(StatusCodes.Status429TooManyRequests, refusal.Message);
            case EnrollmentRefusalKind.Forbidden:
                return Text(StatusCodes.Status403Forbidden, refusal.Message);
            default:
                return Text(StatusCodes.Status400BadRequest, refusal.Message);
        }

        IResult Unauthorized(string message)
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"rampart-est\", charset=\"UTF-8\"";
            return Text(StatusCodes.Status401Unauthorized, message);
        }
    }

    private static IResult Base64Reply(HttpContext context, string body, string contentType)
    {
        context.Response.Headers["Content-Transfer-Encoding"] = "base64";
        context.Response.Headers.CacheControl = "no-store";
        // Exactly the RFC's media type: a charset parameter confuses strict EST clients.
        return TypedResults.Bytes(Encoding.ASCII.GetBytes(body), contentType);
    }

    private static IResult Text(int status, string message) => TypedResults.Text(message + "\n", "text/plain; charset=utf-8", Encoding.UTF8, status);

    private static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    /// <summary>RFC 7617 Basic (user-id:password, UTF-8) or RFC 6750 Bearer; true with nulls when there is no header.</summary>
    internal static bool TryReadAuthorization(HttpRequest request, out string? user, out string? secret)
    {
        user = null;
        secret = null;
        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return true;
        }

        if (header.Length > 1024)
        {
            return false;
        }

        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            secret = header["Bearer ".Length..].Trim();
            return secret.Length > 0;
        }

        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[1024];
        if (!Convert.TryFromBase64String(header["Basic ".Length..].Trim(), decoded, out var written))
        {
            return false;
        }

        var pair = Encoding.UTF8.GetString(decoded[..written]);
        var colon = pair.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        user = pair[..colon];
        secret = pair[(colon + 1)..];
        return secret.Length > 0;
    }
}
