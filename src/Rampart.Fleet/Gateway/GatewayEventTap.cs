using System.Threading.Channels;
using Rampart.Fleet.Monitoring;

namespace Rampart.Fleet.Gateway;

/// <summary>
/// The gateway's security events: recorded without waiting (the hot path never touches the
/// database), written in batches, and published on the fleet event stream. The queue is bounded:
/// past <see cref="Capacity"/> events waiting, new ones are counted as dropped and the count is
/// itself recorded once the queue drains, so a flood can neither grow memory nor pass unseen.
/// </summary>
public sealed class GatewayEventTap(ISecurityEventStore store, FleetEventStream stream, TimeProvider time)
{
    /// <summary>Events that may wait to be written.</summary>
    public const int Capacity = 10_000;

    private const int BatchSize = 500;

    private readonly Channel<SecurityEvent> _queue = Channel.CreateBounded<SecurityEvent>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private long _dropped;

    /// <summary>Events dropped because the queue was full, since the start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues an event; never waits.</summary>
    public void Record(string kind, SecuritySeverity severity, string? deviceId, string? source, IReadOnlyDictionary<string, string> details)
    {
        if (!_queue.Writer.TryWrite(new SecurityEvent(time.GetUtcNow(), kind, severity, deviceId, source, details)))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Writes queued events until cancelled, then what is left.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = _queue.Reader;
        var batch = new List<SecurityEvent>(BatchSize);
        long reportedDrops = 0;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                await DrainAsync(batch, CancellationToken.None);
                var dropped = Dropped;
                if (dropped != reportedDrops)
                {
                    batch.Add(new SecurityEvent(time.GetUtcNow(), "gateway.events-dropped", SecuritySeverity.Warning, null, null,
                        new Dictionary<string, string> { ["count"] = (dropped - reportedDrops).ToString(System.Globalization.CultureInfo.InvariantCulture) }));
                    reportedDrops = dropped;
                    await WriteAsync(batch, CancellationToken.None);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await DrainAsync(batch, CancellationToken.None);
        }
    }

    private async Task DrainAsync(List<SecurityEvent> batch, CancellationToken cancellationToken)
    {
        while (_queue.Reader.TryRead(out var next))
        {
            batch.Add(next);
            if (batch.Count == BatchSize)
            {
                await WriteAsync(batch, cancellationToken);
            }
        }

        await WriteAsync(batch, cancellationToken);
    }

    private async Task WriteAsync(List<SecurityEvent> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await store.AppendManyAsync(batch, cancellationToken);
        foreach (var e in batch)
        {
            await stream.PublishAsync(new SecurityEventRecorded(e), cancellationToken);
        }

        batch.Clear();
    }
}
