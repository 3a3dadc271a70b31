using System.Globalization;
using Microsoft.Extensions.Logging;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Monitoring;

namespace Rampart.Server.Gateway;

/// <summary>
/// Records refusals that come before (or instead of) an identity — no certificate, foreign CA, the
/// connection caps, a CONNECT refused — as a log line and a <c>gateway.refused</c> event, within one
/// shared budget (<see cref="GatewayOptions.RefusalsRecordedPerSecond"/>): a scanner is counted in
/// full but cannot flood the log or the event store. What the budget suppressed is counted and
/// reported with the next refusal that is recorded (log and event), and in <see cref="Suppressed"/>.
/// </summary>
public sealed partial class RefusalRecorder(GatewayOptions options, GatewayEventTap events, TimeProvider time, ILogger logger)
{
    private readonly TokenBucket _budget = new(options.RefusalsRecordedPerSecond, Math.Max(10, options.RefusalsRecordedPerSecond * 5), time);
    private readonly Lock _lock = new();
    private long _pending;
    private long _suppressed;
    private long _refused;

    /// <summary>Refusals since the start, recorded or not.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Refusals the budget kept out of the log and the event store since the start.</summary>
    public long Suppressed => Interlocked.Read(ref _suppressed);

    /// <summary>Counts one refusal; logs and stores it when the budget allows.</summary>
    public void Record(string source, string reason, string detail, string? serial = null, string? clientId = null, string? deviceId = null)
    {
        Interlocked.Increment(ref _refused);
        long suppressedBefore;
        lock (_lock)
        {
            if (!_budget.TryTake(1))
            {
                _pending++;
                Interlocked.Increment(ref _suppressed);
                return;
            }

            suppressedBefore = _pending;
            _pending = 0;
        }

        if (suppressedBefore > 0)
        {
            LogRefusedAfterSuppressed(logger, source, reason, detail, suppressedBefore);
        }
        else
        {
            LogRefused(logger, source, reason, detail);
        }

        var details = new Dictionary<string, string> { ["reason"] = reason, ["detail"] = detail };
        if (serial is not null)
        {
            details["serial"] = serial;
        }

        if (clientId is not null)
        {
            details["claimed-client-id"] = clientId;
        }

        if (suppressedBefore > 0)
        {
            details["suppressed-before"] = suppressedBefore.ToString(CultureInfo.InvariantCulture);
        }

        events.Record("gateway.refused", SecuritySeverity.Warning, deviceId, source, details);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "MQTT connection from {Source} refused ({Reason}): {Detail}")]
    private static partial void LogRefused(ILogger logger, string source, string reason, string detail);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information,
        Message = "MQTT connection from {Source} refused ({Reason}): {Detail}; {Suppressed} earlier refusal(s) were counted but not logged (rate limit)")]
    private static partial void LogRefusedAfterSuppressed(ILogger logger, string source, string reason, string detail, long suppressed);
}
