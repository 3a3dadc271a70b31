using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Monitoring;

namespace Rampart.Server.Keys.Hsm;

/// <summary>
/// Probes the node's PKCS#11 token every <see cref="TokenMonitorOptions.ProbeInterval"/> — so a
/// removal is seen before a device needs a signature, and a token that is back is logged in to
/// again without a restart — and records each change as a security event
/// (<c>keys.token-unavailable</c>, High; <c>keys.token-available</c>, Info) with a log line.
/// </summary>
internal sealed partial class TokenMonitor(TokenHealth health, SecurityEvents events, IOptions<TokenMonitorOptions> options, TimeProvider time, ILogger<TokenMonitor> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (health.Tokens.Count == 0)
        {
            return;
        }

        var recorder = RecordChangesAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.ProbeInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var token in health.Tokens)
                {
                    token.Probe();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        await recorder;
    }

    private async Task RecordChangesAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (token, reason) in health.Changes.ReadAllAsync(stoppingToken))
            {
                if (reason is null)
                {
                    LogAvailable(logger, token.Settings.ToString());
                }
                else
                {
                    LogUnavailable(logger, token.Settings.ToString(), reason);
                }

                try
                {
                    await events.RecordAsync(reason is null ? "keys.token-available" : "keys.token-unavailable", reason is null ? SecuritySeverity.Info : SecuritySeverity.High,
                        null, token.Settings.TokenLabel, new Dictionary<string, string> { ["token"] = token.Settings.ToString(), ["reason"] = reason ?? "answers again" }, stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException && Health.StorageUnavailableHandler.IsStorageOutage(exception))
                {
                    LogNotRecorded(logger, exception.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Error, Message = "The node's signing keys cannot be used: {Token}: {Reason}. Signing requests are refused with 503 until it is back")]
    private static partial void LogUnavailable(ILogger logger, string token, string reason);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "{Token} answers again; the node signs with it again")]
    private static partial void LogAvailable(ILogger logger, string token);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "A token availability change could not be recorded as a security event: {Reason}")]
    private static partial void LogNotRecorded(ILogger logger, string reason);
}
