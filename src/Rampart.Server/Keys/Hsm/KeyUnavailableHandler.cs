using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Rampart.Pki.Keys;

namespace Rampart.Server.Keys.Hsm;

/// <summary>
/// A request that needed a signature from a key whose token is gone (EST enrollment, a CRL, a
/// release) is answered 503 with Retry-After and the reason — which token, what it said — never
/// a 500. Nothing was issued: the signature is the last step before a certificate exists.
/// </summary>
internal sealed partial class KeyUnavailableHandler(IProblemDetailsService problems, ILogger<KeyUnavailableHandler> logger) : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait (a few probe intervals).</summary>
    public const int RetryAfterSeconds = 10;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (Find(exception) is not { } unavailable)
        {
            return false;
        }

        LogRefused(logger, httpContext.Request.Path, unavailable.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = ReasonPhrases.GetReasonPhrase(StatusCodes.Status503ServiceUnavailable),
                Detail = $"the node's signing key is unavailable: {unavailable.Message}; nothing was signed, retry later",
            },
            Exception = exception,
        });
    }

    private static KeyUnavailableException? Find(Exception? exception) => exception switch
    {
        null => null,
        KeyUnavailableException unavailable => unavailable,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Find).FirstOrDefault(found => found is not null),
        _ => Find(exception.InnerException),
    };

    [LoggerMessage(EventId = 3204, Level = LogLevel.Warning, Message = "Refused {Path} with 503: {Reason}")]
    private static partial void LogRefused(ILogger logger, PathString path, string reason);
}
