using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Rampart.Fleet.Errors;

namespace Rampart.Server.Api;

/// <summary>
/// Turns a refused operation — or a request Kestrel refused while a handler read its body (too large,
/// cut short), or a body the endpoint could not bind (malformed JSON, a required field missing, a wrong
/// type: thrown because the node sets <c>RouteHandlerOptions.ThrowOnBadRequest</c>) — into an RFC 9457
/// problem document with the matching status.
/// </summary>
/// <remarks>
/// The title is the status phrase and the detail the reason (RFC 9457 §3.1.3–3.1.4), so the reason
/// — which may quote the request — is sent once, and never more than <see cref="MaxDetailLength"/>
/// characters of it.
/// </remarks>
internal sealed partial class FleetExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    /// <summary>Longest detail sent; refusals quote at most <see cref="Echo.MaxLength"/> characters of a value, this bounds the rest.</summary>
    public const int MaxDetailLength = 1024;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, reason) = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } badRequest => (badRequest.StatusCode, JsonReason(json)),
            BadHttpRequestException badRequest => (badRequest.StatusCode, badRequest.Message),
            FleetException refusal => (StatusOf(refusal.Kind), refusal.Message),
            _ => (0, string.Empty),
        };
        if (status == 0)
        {
            return false;
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = status, Title = ReasonPhrases.GetReasonPhrase(status), Detail = Capped(reason) },
            Exception = exception,
        });
    }

    /// <summary>The status each kind of refusal documents (<see cref="FleetErrorKind"/>).</summary>
    public static int StatusOf(FleetErrorKind kind) => kind switch
    {
        FleetErrorKind.NotFound => StatusCodes.Status404NotFound,
        FleetErrorKind.Conflict => StatusCodes.Status409Conflict,
        FleetErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        FleetErrorKind.Unauthorized => StatusCodes.Status401Unauthorized,
        FleetErrorKind.RateLimited => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status400BadRequest,
    };

    // System.Text.Json's reason names the field and where (Path: $.id …); the .NET type it was reading is ours, not the client's.
    private static string JsonReason(JsonException json) =>
        "the request body is not the JSON this endpoint reads: " + ConvertedTo().Replace(TypeName().Replace(json.Message, string.Empty), "converted to the type this field takes.");

    [GeneratedRegex(@" (?:for|on) type '[^']*'", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex TypeName();

    [GeneratedRegex(@"converted to \S+\.(?=\s|$)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ConvertedTo();

    private static string Capped(string reason) => reason.Length <= MaxDetailLength ? reason : reason[..MaxDetailLength] + "…";
}
