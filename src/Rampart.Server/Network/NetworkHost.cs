using System.Diagnostics.Metrics;
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
/// the next one goes on. 3. Meter <c>Rampart.Network</c> publishes the collector's counters on
/// <c>/metrics</c> (observable instruments over the counters it keeps anyway, tagged with the
/// collector's address), and what a failed batch lost.
/// </summary>
public sealed partial class NetworkHost(
    NetworkOptions options, NetworkVisibility visibility, INetworkStore store, FleetEventStream stream, TimeProvider time, IMeterFactory meters, ILogger<NetworkHost> logger)
    : IHostedService, IAsyncDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Rampart.Network";

    private const int MaxBatch = 50_000;
    private readonly Meter _meter = meters.Create(MeterName);
    private readonly CancellationTokenSource _stopping = new();
    private long _batchFlowsLost;
    private FleetEventSubscription? _subscription;
    private Task _following = Task.CompletedTask;
    private Task _collecting = Task.CompletedTask;

    /// <summary>The live collector, when configured.</summary>
    public IpfixCollector? Collector { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Observable instruments read the collector's own counters at each scrape (nothing on the datagram path).
        Counter("rampart.network.collector.datagrams", "{datagram}", "Datagrams the IPFIX/NetFlow v9 collector received", c => c.Datagrams);
        Counter("rampart.network.collector.records", "{record}", "Flow records decoded and queued", c => c.Flows);
        Counter("rampart.network.collector.records.dropped", "{record}", "Flow records dropped at the full queue", c => c.Dropped);
        Counter("rampart.network.collector.exporters.refused", "{datagram}", "Datagrams from addresses that are not listed exporters", c => c.Refused);
        Counter("rampart.network.collector.malformed", "{datagram}", "Datagrams refused whole as malformed", c => c.Malformed);
        Counter("rampart.network.collector.rate_limited", "{datagram}", "Datagrams beyond an exporter's rate", c => c.RateLimited);
        Counter("rampart.network.collector.unknown_template_records", "{record}", "Data records of templates not (yet) announced", c => c.UnknownTemplateRecords);
        Gauge("rampart.network.collector.templates", "{template}", "Templates held for the exporters", c => c.Templates);
        Gauge("rampart.network.collector.queued", "{record}", "Flow records waiting to be judged", c => c.Queued);
        _meter.CreateObservableCounter("rampart.network.collector.records.failed", () => Tagged(Interlocked.Read(ref _batchFlowsLost)), "{record}",
            "Flow records of collector batches that could not be judged or stored");

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
        _meter.Dispose();
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
                    Interlocked.Add(ref _batchFlowsLost, batch.Count);
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

    private void Counter(string name, string unit, string description, Func<CollectorCounters, long> value) =>
        _meter.CreateObservableCounter(name, () => Collector is { } collector ? Tagged(value(collector.Counters)) : [], unit, description);

    private void Gauge(string name, string unit, string description, Func<CollectorCounters, int> value) =>
        _meter.CreateObservableGauge(name, () => Collector is { } collector ? Tagged(value(collector.Counters)) : [], unit, description);

    private Measurement<T>[] Tagged<T>(T value)
        where T : struct => Collector is { } collector ? [new Measurement<T>(value, new KeyValuePair<string, object?>("collector", collector.BoundEndPoint.ToString()))] : [];

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "IPFIX/NetFlow v9 collector listening on udp {EndPoint}")]
    private static partial void LogCollecting(ILogger logger, string endPoint);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Could not record the address of device {DeviceId}")]
    private static partial void LogAddressFailed(ILogger logger, string deviceId, Exception exception);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Error, Message = "A collector batch of {Flows} flows failed")]
    private static partial void LogBatchFailed(ILogger logger, int flows, Exception exception);
}
