using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Rampart.Fleet.Errors;

namespace Rampart.Server.Api;

/// <summary>
/// Turns a refused operation — or a request Kestrel refused while a handler read its body (too large,
/// cut short) — into an RFC 9457 problem document with the matching status.
/// </summary>
internal sealed class FleetExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadHttpRequestException badRequest)
        {
            httpContext.Response.StatusCode = badRequest.StatusCode;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = { Status = badRequest.StatusCode, Title = badRequest.Message, Detail = badRequest.Message },
                Exception = exception,
            });
        }

        if (exception is not FleetException refusal)
        {
            return false;
        }

        httpContext.Response.StatusCode = refusal.Kind switch
        {
            FleetErrorKind.NotFound => StatusCodes.Status404NotFound,
            FleetErrorKind.Conflict => StatusCodes.Status409Conflict,
            FleetErrorKind.Forbidden => StatusCodes.Status403Forbidden,
            FleetErrorKind.Unauthorized => StatusCodes.Status401Unauthorized,
            FleetErrorKind.RateLimited => StatusCodes.Status429TooManyRequests,
            _ => StatusCodes.Status400BadRequest,
        };
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = httpContext.Response.StatusCode, Title = refusal.Message, Detail = refusal.Message },
            Exception = exception,
        });
    }
}
