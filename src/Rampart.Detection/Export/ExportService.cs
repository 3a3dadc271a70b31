using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;

namespace Rampart.Detection.Export;

/// <summary>
/// Tells the outside world. Two kinds of loop share the outbox:
/// 1. the pump follows persisted cursors over the security event store and the audit checkpoints
///    and, per round, queues each new record for every destination and moves the cursor in the same
///    transaction (so a kill repeats a round at worst, and the unique record id makes that a no-op);
/// 2. one delivery loop per destination sends its oldest records in order, removes what was
///    delivered, and after a failure waits with exponential backoff and jitter.
/// Drops by the outbox bounds are counted in the store and reported as <c>export.dropped</c> events.
/// With <paramref name="leases"/> (several nodes on one outbox, issue 15) a delivery loop sends only
/// while this node holds its destination's lease, renewed every round; without, every destination
/// is this node's alone (one node on SQLite).
/// </summary>
public sealed class ExportService(
    IExportOutbox outbox,
    ISecurityEventStore events,
    IAuditStore audit,
    SecurityEvents recorder,
    FleetEventStream stream,
    IEnumerable<IExportSender> senders,
    IOptions<ExportOptions> options,
    ExportFigures figures,
    TimeProvider time,
    ILogger<ExportService> logger,
    ExportLeaseHolder? leases = null)
{
    /// <summary>The kind of the event that reports drops.</summary>
    public const string DroppedKind = "export.dropped";

    /// <summary>Batches a destination may have written but not yet confirmed.</summary>
    public const int DeliveryWindowBatches = 8;

    private readonly IReadOnlyList<IExportSender> _senders = senders.ToArray();
    private readonly OutboxOptions _outbox = options.Value.Outbox;
    private readonly ExportSignal _pumpSignal = new();
    private readonly Dictionary<string, ExportSignal> _deliverySignals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Pending, DateTimeOffset LastReport)> _drops = new(StringComparer.Ordinal);
    private DateTimeOffset _lastExpiry;

    private OutboxBounds Bounds => new(_outbox.MaxRowsPerDestination, _outbox.MaxAge, _outbox.MaxCheckpointRowsPerDestination);

    /// <summary>The configured destinations' outbox names.</summary>
    public IReadOnlyList<string> Destinations => _senders.Select(sender => sender.Destination).ToArray();

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_senders.Count == 0)
        {
            return;
        }

        ExportLog.Started(logger, string.Join(", ", Destinations));
        foreach (var sender in _senders)
        {
            _deliverySignals[sender.Destination] = new ExportSignal();
        }

        using var subscription = stream.Subscribe();
        var loops = new List<Task> { ListenAsync(subscription, cancellationToken), Loop("pump", PumpOnceAsync, cancellationToken) };
        loops.AddRange(_senders.Select(sender => Loop("delivery", token => DeliverOnceAsync(sender, token), cancellationToken)));
        try
        {
            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await ReleaseLeasesAsync();
        }
    }

    /// <summary>Every configured destination's status (zeros for one that never held a record).</summary>
    public async Task<IReadOnlyList<DestinationStatus>> StatusAsync(CancellationToken cancellationToken)
    {
        var stored = (await outbox.StatusAsync(cancellationToken)).ToDictionary(status => status.Destination, StringComparer.Ordinal);
        var all = Destinations.Select(name => stored.GetValueOrDefault(name) ?? new DestinationStatus(name, 0, 0, 0, 0, null, null, null, null))
            .Concat(stored.Values.Where(status => !Destinations.Contains(status.Destination)))
            .OrderBy(status => status.Destination, StringComparer.Ordinal)
            .ToArray();
        figures.Update(all);
        return all;
    }

    private async Task ListenAsync(FleetEventSubscription subscription, CancellationToken cancellationToken)
    {
        // Only a nudge: the pump reads the durable store, never the live stream, so nothing here can be lost.
        await foreach (var fleetEvent in subscription.Events.ReadAllAsync(cancellationToken))
        {
            if (fleetEvent is SecurityEventRecorded)
            {
                _pumpSignal.Set();
            }
        }
    }

    private async Task Loop(string name, Func<CancellationToken, Task> round, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await round(cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // A database error must not end exporting: log it and try again after the poll interval.
                ExportLog.LoopFailed(logger, name, exception);
                await Task.Delay(_outbox.PollInterval, time, cancellationToken);
            }
        }
    }

    private async Task PumpOnceAsync(CancellationToken cancellationToken)
    {
        var queued = await PumpEventsAsync(cancellationToken) | await PumpCheckpointsAsync(cancellationToken);
        // The age bound also applies when nothing is queued; once per poll interval is enough (enqueueing applies both bounds itself).
        if (time.GetUtcNow() - _lastExpiry >= _outbox.PollInterval)
        {
            _lastExpiry = time.GetUtcNow();
            Count(await outbox.ExpireAsync(Bounds, _lastExpiry, cancellationToken));
        }

        await ReportDropsAsync(cancellationToken);
        await StatusAsync(cancellationToken);
        if (queued)
        {
            foreach (var signal in _deliverySignals.Values)
            {
                signal.Set();
            }
        }
        else
        {
            await _pumpSignal.WaitAsync(_outbox.PollInterval, time, cancellationToken);
        }
    }

    private async Task<bool> PumpEventsAsync(CancellationToken cancellationToken)
    {
        var cursor = await outbox.GetCursorAsync(OutboxSources.SecurityEvents, cancellationToken);
        var batch = await events.ListAfterAsync(cursor, null, _outbox.BatchSize, cancellationToken);
        if (batch.Count == 0)
        {
            return false;
        }

        var entries = new List<OutboxEntry>();
        foreach (var stored in batch)
        {
            var record = ExportRecord.Of(stored);
            var payload = JsonSerializer.Serialize(record);
            entries.AddRange(_senders.Where(sender => stored.Event.Severity >= sender.MinimumSeverity)
                .Select(sender => new OutboxEntry(sender.Destination, record.Id, payload)));
        }

        Count(await outbox.EnqueueAsync(OutboxSources.SecurityEvents, cursor, batch[^1].Id, entries, Bounds, time.GetUtcNow(), cancellationToken));
        return true;
    }

    private async Task<bool> PumpCheckpointsAsync(CancellationToken cancellationToken)
    {
        var cursor = await outbox.GetCursorAsync(OutboxSources.AuditCheckpoints, cancellationToken);
        var last = await audit.GetLastCheckpointAsync(cancellationToken);
        if (last is null || last.Sequence <= cursor)
        {
            return false;
        }

        var entries = new List<OutboxEntry>();
        var through = cursor;
        await foreach (var checkpoint in audit.ReadCheckpointsAsync(cancellationToken))
        {
            if (checkpoint.Sequence <= cursor)
            {
                continue;
            }

            // Every destination gets every checkpoint, whatever its severity filter: they are the witness of the log.
            var record = ExportRecord.Of(checkpoint);
            var payload = JsonSerializer.Serialize(record);
            entries.AddRange(_senders.Select(sender => new OutboxEntry(sender.Destination, record.Id, payload)));
            through = checkpoint.Sequence;
        }

        Count(await outbox.EnqueueAsync(OutboxSources.AuditCheckpoints, cursor, through, entries, Bounds, time.GetUtcNow(), cancellationToken));
        return true;
    }

    private async Task DeliverOnceAsync(IExportSender sender, CancellationToken cancellationToken)
    {
        if (!await HoldLeaseAsync(sender.Destination, cancellationToken))
        {
            // Another node delivers this destination: look again after a poll interval, and take
            // over (from the rows it left in the outbox) once its lease lapses.
            await Task.Delay(_outbox.PollInterval, time, cancellationToken);
            return;
        }

        var status = figures.Latest.FirstOrDefault(s => s.Destination == sender.Destination)
            ?? (await StatusAsync(cancellationToken)).First(s => s.Destination == sender.Destination);
        var wait = status.NextAttempt - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            // Backing off: only the clock ends the wait, new records do not. The next round renews
            // the lease before sending (the wait may outlast it).
            await Task.Delay(wait.Value, time, cancellationToken);
            return;
        }

        // A window of several batches: a sender that confirms late (syslog) keeps writing ahead meanwhile.
        var items = await outbox.PeekAsync(sender.Destination, _outbox.BatchSize * DeliveryWindowBatches, cancellationToken);
        if (items.Count == 0)
        {
            await _deliverySignals[sender.Destination].WaitAsync(_outbox.PollInterval, time, cancellationToken);
            return;
        }

        var result = await sender.SendAsync(items, cancellationToken);
        var now = time.GetUtcNow();
        if (result.Delivered > 0)
        {
            await outbox.MarkDeliveredAsync(sender.Destination, items[result.Delivered - 1].Id, result.Delivered, now, cancellationToken);
            if (status.FailedAttempts > 0 && result.Error is null)
            {
                ExportLog.Recovered(logger, sender.Destination, status.FailedAttempts);
            }
        }

        if (result.Error is not null)
        {
            var attempt = (result.Delivered > 0 ? 0 : status.FailedAttempts) + 1;
            var delay = Backoff.After(attempt, _outbox.InitialBackoff, _outbox.MaxBackoff, Random.Shared.NextDouble());
            await outbox.MarkFailedAsync(sender.Destination, result.Error, now + delay, now, cancellationToken);
            ExportLog.DeliveryFailed(logger, sender.Destination, attempt, delay, result.Error);
        }

        await StatusAsync(cancellationToken);
    }

    private async Task<bool> HoldLeaseAsync(string destination, CancellationToken cancellationToken)
    {
        if (leases is null)
        {
            return true;
        }

        var now = time.GetUtcNow();
        return await leases.Store.TryHoldAsync(destination, leases.Holder, now, now + _outbox.LeaseDuration, cancellationToken);
    }

    private async Task ReleaseLeasesAsync()
    {
        if (leases is null)
        {
            return;
        }

        // A stopping node hands its destinations over at once instead of at expiry; when the
        // database is unreachable the leases simply lapse.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        foreach (var sender in _senders)
        {
            try
            {
                await leases.Store.ReleaseAsync(sender.Destination, leases.Holder, deadline.Token);
            }
            catch (Exception exception)
            {
                ExportLog.LoopFailed(logger, "lease release", exception);
            }
        }
    }

    private void Count(IReadOnlyDictionary<string, long> drops)
    {
        foreach (var (destination, count) in drops)
        {
            ExportLog.Dropped(logger, destination, count);
            lock (_drops)
            {
                var (pending, last) = _drops.GetValueOrDefault(destination);
                _drops[destination] = (pending + count, last);
            }
        }
    }

    // At most one event per destination per DropReportInterval: the event is exported too, and an
    // outbox that is full would otherwise drop one record to report each drop, for ever.
    private async Task ReportDropsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        List<(string Destination, long Count)> due;
        lock (_drops)
        {
            due = _drops.Where(pair => pair.Value.Pending > 0 && now - pair.Value.LastReport >= _outbox.DropReportInterval)
                .Select(pair => (pair.Key, pair.Value.Pending)).ToList();
            foreach (var (destination, _) in due)
            {
                _drops[destination] = (0, now);
            }
        }

        foreach (var (destination, count) in due)
        {
            await recorder.RecordAsync(DroppedKind, SecuritySeverity.Warning, null, null, new Dictionary<string, string>
            {
                ["destination"] = destination,
                ["dropped"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["reason"] = $"the outbox held more than {_outbox.MaxRowsPerDestination} records or records older than {_outbox.MaxAge}",
            }, cancellationToken);
        }
    }
}
