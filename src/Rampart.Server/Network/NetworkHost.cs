using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rampart.Fleet.Monitoring;
using Rampart.Network;
using Rampart.Network.Collector;
using Rampart.Network.Inventory;

namespace Rampart.Server.Network;

/// <summary>
/// Runs network visibility for the node's lifetime: 1. follows the fleet event stream and records the
/// address each device connected from (gateway.connected), which is how hosts are matched to devices;
/// 2. when <see cref="NetworkOptions.IpfixCollector"/> is set, runs the UDP collector and judges its
/// queued flows every <see cref="NetworkOptions.CollectorFlushInterval"/>. A failed batch is logged and
/// the next one goes on.
/// </summary>
public sealed partial class NetworkHost(NetworkOptions options, NetworkVisibility visibility, INetworkStore store, FleetEventStream stream, TimeProvider time, ILogger<NetworkHost> logger)
    : IHostedService, IAsyncDisposable
{
    private const int MaxBatch = 50_000;
    private readonly CancellationTokenSource _stopping = new();
    private FleetEventSubscription? _subscription;
    private Task _following = Task.CompletedTask;
    private Task _collecting = Task.CompletedTask;

    /// <summary>The live collector, when configured.</summary>
    public IpfixCollector? Collector { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = stream.Subscribe();
        _following = Task.Run(() => FollowAsync(_subscription), CancellationToken.None);
        if (!string.IsNullOrEmpty(options.IpfixCollector))
        {
            Collector = new IpfixCollector(IPEndPoint.Parse(options.IpfixCollector), options, time);
            LogCollecting(logger, Collector.BoundEndPoint.ToString());
            _collecting = Task.Run(() => CollectAsync(Collector, _stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _subscription?.Dispose();
        await Task.WhenAll(_following, _collecting).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (Collector is not null)
        {
            await Collector.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        if (Collector is not null)
        {
            await Collector.DisposeAsync();
        }

        _stopping.Dispose();
    }

    // Reads the stream at once and always: its publishers wait for slow subscribers.
    private async Task FollowAsync(FleetEventSubscription subscription)
    {
        await foreach (var fleetEvent in subscription.Events.ReadAllAsync())
        {
            if (fleetEvent is SecurityEventRecorded { Event: { Kind: "gateway.connected", DeviceId: { } deviceId, Source: { } source } connected })
            {
                try
                {
                    var address = IPEndPoint.TryParse(source, out var endPoint) ? endPoint.Address : IPAddress.TryParse(source, out var plain) ? plain : null;
                    if (address is not null)
                    {
                        await store.RecordDeviceAddressAsync((address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString(), deviceId, connected.Time, _stopping.Token);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogAddressFailed(logger, deviceId, exception);
                }
            }
        }
    }

    private async Task CollectAsync(IpfixCollector collector, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var batch = await collector.ReadBatchAsync(MaxBatch, cancellationToken);
                try
                {
                    await visibility.IngestAsync(batch, "ipfix-collector", "network.flows-collected", cancellationToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogBatchFailed(logger, batch.Count, exception);
                }

                await Task.Delay(options.CollectorFlushInterval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "IPFIX/NetFlow v9 collector listening on udp {EndPoint}")]
    private static partial void LogCollecting(ILogger logger, string endPoint);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Could not record the address of device {DeviceId}")]
    private static partial void LogAddressFailed(ILogger logger, string deviceId, Exception exception);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Error, Message = "A collector batch of {Flows} flows failed")]
    private static partial void LogBatchFailed(ILogger logger, int flows, Exception exception);
}
