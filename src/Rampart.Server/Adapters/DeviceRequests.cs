using Microsoft.AspNetCore.Http;
using Rampart.Adapters.FrontDoors;
using Rampart.Adapters.Links;

namespace Rampart.Server.Adapters;

/// <summary>What the HTTPS device API answers: problem details with a reason the device can act on, never a stack trace.</summary>
internal static class DeviceRequests
{
    /// <summary>The body, at most <paramref name="limit"/> bytes; null and a 413 when larger.</summary>
    public static async Task<(byte[]? Body, IResult? Problem)> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return (null, TooLarge(limit));
        }

        var buffer = new byte[limit + 1];
        var read = 0;
        try
        {
            while (read < buffer.Length && await request.Body.ReadAsync(buffer.AsMemory(read), cancellationToken) is var n and > 0)
            {
                read += n;
            }
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(limit));
        }

        return read > limit ? (null, TooLarge(limit)) : (buffer[..read], null);
    }

    public static IResult Refused(FrontDoorRefusal refusal) => Problem(refusal.Kind switch
    {
        FrontDoorRefusalKind.Forbidden => StatusCodes.Status403Forbidden,
        FrontDoorRefusalKind.Limited => StatusCodes.Status429TooManyRequests,
        FrontDoorRefusalKind.Invalid => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status401Unauthorized,
    }, refusal.Message, refusal.Code);

    public static IResult Verdict(LinkVerdict verdict, string topic) => verdict.Outcome switch
    {
        LinkOutcome.Accepted => TypedResults.Accepted((string?)null, new TelemetryAccepted(topic)),
        LinkOutcome.Forbidden => Problem(StatusCodes.Status403Forbidden, verdict.Reason, "publish-denied"),
        LinkOutcome.Limited => Problem(StatusCodes.Status429TooManyRequests, verdict.Reason, "limit-exceeded"),
        LinkOutcome.Closed => Problem(StatusCodes.Status503ServiceUnavailable, verdict.Reason, "session-ended"),
        _ => Problem(StatusCodes.Status400BadRequest, verdict.Reason, "refused"),
    };

    public static IResult Problem(int status, string detail, string code) =>
        TypedResults.Problem(detail, statusCode: status, title: code, extensions: new Dictionary<string, object?> { ["code"] = code });

    private static IResult TooLarge(int limit) => Problem(StatusCodes.Status413PayloadTooLarge, $"the body is over {limit} bytes", "too-large");
}

/// <summary>The answer to accepted telemetry.</summary>
public sealed record TelemetryAccepted(string Topic);
