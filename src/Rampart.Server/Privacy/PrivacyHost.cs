using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rampart.Privacy;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Retention;
using Rampart.Privacy.Subjects;
using Rampart.Server.Gateway;

namespace Rampart.Server.Privacy;

/// <summary>
/// Runs privacy for the node's lifetime: 1. loads every subject into the delivery path's directory
/// and puts the delivery filter on the broker before the listeners open, so no message is delivered
/// unfiltered, 2. runs the retention job every <see cref="PrivacyOptions.RetentionInterval"/>
/// (TimeProvider-driven); a pass that fails is logged and the next one goes on.
/// </summary>
public sealed partial class PrivacyHost(
    SubjectService subjects, PrivacyDeliveryFilter filter, MqttGateway gateway, RetentionJob retention, PrivacyOptions options, TimeProvider time, ILogger<PrivacyHost> logger)
    : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await subjects.LoadDirectoryAsync(cancellationToken);
        gateway.Broker.UseDeliveryFilter(filter);
        _loop = Task.Run(() => RetainAsync(_stopping.Token), CancellationToken.None);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();

    private async Task RetainAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.RetentionInterval, time, cancellationToken);
                var deleted = await retention.RunOnceAsync(cancellationToken);
                LogRetention(logger, string.Join(", ", deleted.Select(pair => $"{pair.Key}={pair.Value}")));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogRetentionFailed(logger, exception);
            }
        }
    }

    [LoggerMessage(EventId = 4901, Level = LogLevel.Information, Message = "Retention applied: {Deleted}")]
    private static partial void LogRetention(ILogger logger, string deleted);

    [LoggerMessage(EventId = 4902, Level = LogLevel.Error, Message = "Retention pass failed; the next one runs at the next interval")]
    private static partial void LogRetentionFailed(ILogger logger, Exception exception);
}
