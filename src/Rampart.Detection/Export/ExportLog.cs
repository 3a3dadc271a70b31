using Microsoft.Extensions.Logging;

namespace Rampart.Detection.Export;

/// <summary>The exporter's log messages (event ids 14600–14699). Errors name the destination, never a key.</summary>
internal static partial class ExportLog
{
    [LoggerMessage(EventId = 14600, Level = LogLevel.Information, Message = "Exporting to {Destinations}")]
    public static partial void Started(ILogger logger, string destinations);

    [LoggerMessage(EventId = 14601, Level = LogLevel.Warning, Message = "Export to {Destination} failed (attempt {Attempt}, next in {Delay}): {Error}")]
    public static partial void DeliveryFailed(ILogger logger, string destination, int attempt, TimeSpan delay, string error);

    [LoggerMessage(EventId = 14602, Level = LogLevel.Information, Message = "Export to {Destination} recovered after {Attempts} failed attempts")]
    public static partial void Recovered(ILogger logger, string destination, int attempts);

    [LoggerMessage(EventId = 14603, Level = LogLevel.Warning, Message = "The export outbox dropped {Count} records of {Destination} (its bounds were reached)")]
    public static partial void Dropped(ILogger logger, string destination, long count);

    [LoggerMessage(EventId = 14604, Level = LogLevel.Error, Message = "The export {Loop} loop failed; it retries")]
    public static partial void LoopFailed(ILogger logger, string loop, Exception exception);
}
