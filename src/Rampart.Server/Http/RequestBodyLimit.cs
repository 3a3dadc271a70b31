using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Rampart.Server.Http;

/// <summary>
/// Enforces the request body limit in the application instead of in Kestrel's HTTP/2 frame loop.
/// </summary>
/// <remarks>
/// Kestrel counts HTTP/2 DATA frames as they arrive; a body over the limit without Content-Length
/// aborts the stream while the JSON reader still holds its pipe, and the reader's next AdvanceTo
/// throws <see cref="InvalidOperationException"/> — a 500 with a stack trace instead of 413 (seen on
/// the unauthenticated /api/v1/auth/login). So for HTTP/2 and HTTP/3 the node lifts Kestrel's count
/// and counts in the app's reads (<see cref="LimitedRequestBody"/>); HTTP/2 flow control still bounds
/// what a client can send ahead of those reads. HTTP/1.x keeps Kestrel's check as well, which is
/// correct there and also bounds what is drained after an early answer.
/// </remarks>
internal sealed class RequestBodyLimit(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        // The admin socket's peer is the node's own user, vouched for by the kernel (LocalAdminConnection),
        // and no one else can reach it: a minimum data rate there guards against nothing and refused an
        // operator's command on a machine busy enough to delay the client's last chunk past Kestrel's
        // 5 s grace ("Reading the request body timed out"). The size limit below still applies.
        if (context.Features.Get<Admin.LocalAdminConnection>() is not null
            && context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }

        var size = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false }
            || size is null || size.IsReadOnly || size.MaxRequestBodySize is not { } limit)
        {
            return next(context);
        }

        if (!HttpProtocol.IsHttp11(context.Request.Protocol) && !HttpProtocol.IsHttp10(context.Request.Protocol))
        {
            size.MaxRequestBodySize = null;
        }

        context.Request.Body = new LimitedRequestBody(context.Request.Body, limit, context.Request.ContentLength);
        return next(context);
    }
}

/// <summary>A body limit for one endpoint, above or below the node's default (routing applies it before <see cref="RequestBodyLimit"/> reads it).</summary>
internal sealed record BodySizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;

/// <summary>Adds <see cref="RequestBodyLimit"/>.</summary>
internal static class RequestBodyLimitExtensions
{
    /// <summary>Must run after routing has chosen the endpoint (its size metadata sets the limit) and before any endpoint reads.</summary>
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) => app.UseMiddleware<RequestBodyLimit>();
}
