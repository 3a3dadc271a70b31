using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Rampart.Fleet.Audit;

namespace Rampart.Server.Health;

/// <summary>
/// A request that failed because the database did not answer (PostgreSQL stopped, the network to it
/// cut, the pool exhausted) is refused with 503 and Retry-After, a problem document that says so,
/// and no detail of the database — never a 500. Nothing of it was committed: every change commits
/// with its audit entry in one transaction or not at all. The node recovers by itself when the
/// database answers again (each request opens a fresh pooled connection).
/// </summary>
internal sealed partial class StorageUnavailableHandler(IProblemDetailsService problems, ILogger<StorageUnavailableHandler> logger) : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait before retrying.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsStorageOutage(exception))
        {
            return false;
        }

        LogUnavailable(logger, httpContext.Request.Path, exception.GetType().Name, Innermost(exception).Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = ReasonPhrases.GetReasonPhrase(StatusCodes.Status503ServiceUnavailable),
                Detail = "the node's database is unavailable; nothing was changed, retry later",
            },
            Exception = exception,
        });
    }

    /// <summary>True for a database error, a pool or connect timeout, or the audit log's failure to store because of one.</summary>
    public static bool IsStorageOutage(Exception exception) => exception switch
    {
        DbException => true,
        TimeoutException => true,
        AuditLogException { InnerException: { } inner } => IsStorageOutage(inner),
        AggregateException { InnerExceptions: [var only] } => IsStorageOutage(only),
        _ => false,
    };

    private static Exception Innermost(Exception exception) => exception.InnerException is { } inner ? Innermost(inner) : exception;

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Refused {Path} with 503: the database is unavailable ({Error}: {Reason})")]
    private static partial void LogUnavailable(ILogger logger, PathString path, string error, string reason);
}
