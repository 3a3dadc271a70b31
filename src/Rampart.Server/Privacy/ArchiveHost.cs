using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Rampart.Privacy;
using Rampart.Privacy.Archive;
using Rampart.Privacy.Delivery;
using Rampart.Server.Gateway;
using Rampart.Server.Hosting;
using Rampart.Storage;
using Rampart.Storage.Privacy;

namespace Rampart.Server.Privacy;

/// <summary>
/// Runs the telemetry archive (issue 19 §4) when a family is opted in: 1. opens every region's store
/// (a setting that does not hold together stops the node, naming it), 2. observes device topics on
/// the broker, 3. runs the writer; at stop it writes what is queued, then closes the stores.
/// </summary>
public sealed class ArchiveHost(
    TelemetryArchive archive, ArchiveRegions regions, PrivacyOptions options, PrivacyPolicy policy, NodeStores stores, IConfiguration configuration, PrivacySettings settings, MqttGateway gateway)
    : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private IDisposable? _observation;
    private Task _writer = Task.CompletedTask;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!archive.Enabled)
        {
            return;
        }

        foreach (var region in policy.Regions.Order(StringComparer.Ordinal))
        {
            try
            {
                regions.Add(await ArchiveStoreFactory.OpenAsync(region, options.Archive.Stores.GetValueOrDefault(region), stores.Provider, settings.DataDirectory,
                    configuration["Rampart:Storage:ConnectionString"], cancellationToken));
            }
            catch (Exception exception) when (exception is InvalidOperationException or ArgumentException or System.Data.Common.DbException or IOException)
            {
                throw new NodeStartupException($"invalid settings:{Environment.NewLine}  {PrivacySettings.Section}:Archive: region {region}: {exception.Message}", exception);
            }
        }

        _writer = Task.Run(() => archive.RunAsync(_stopping.Token), CancellationToken.None);
        _observation = gateway.Broker.Observe("devices/#", archive.Offer);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _observation?.Dispose();
        await _stopping.CancelAsync();
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _observation?.Dispose();
        await regions.DisposeAsync();
        _stopping.Dispose();
    }
}
