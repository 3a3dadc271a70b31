using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Monitoring;

namespace Rampart.Fleet.Audit;

/// <summary>
/// The single writer of the audit chain. Callers queue records; one loop gives them sequence
/// numbers and hashes and commits whatever is queued in one durable transaction (group commit),
/// so concurrent callers share an fsync instead of waiting for one each.
/// </summary>
public sealed partial class AuditLog : IAuditLog, IAsyncDisposable
{
    /// <summary>Longest actor, action and target accepted; longer records are refused, not cut.</summary>
    public const int MaxFieldLength = 1024;

    /// <summary>Most detail pairs one record may carry.</summary>
    public const int MaxDetails = 64;

    private readonly IAuditStore _store;
    private readonly AuditSigningKey _key;
    private readonly TimeProvider _time;
    private readonly AuditOptions _options;
    private readonly ILogger<AuditLog> _logger;
    private readonly ISecurityEventSealer? _sealer;
    private readonly Channel<PendingUnit> _queue;
    private Task? _writer;
    private long _lastSequence;
    private byte[] _lastHash = AuditEntry.GenesisHash.ToArray();
    private long _lastCheckpoint;

    public AuditLog(IAuditStore store, AuditSigningKey key, TimeProvider time, IOptions<AuditOptions> options, ILogger<AuditLog> logger, ISecurityEventSealer? sealer = null)
    {
        _sealer = sealer;
        _store = store;
        _key = key;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _queue = Channel.CreateBounded<PendingUnit>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>
    /// Continues the chain where the store ends. Entries written after the last checkpoint (a crash
    /// leaves some) are verified and then covered by a new checkpoint, so cutting them off later is
    /// detectable; if they do not verify, nothing is signed over them and the problem is logged.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var last = await _store.GetLastEntryAsync(cancellationToken);
        var checkpoint = await _store.GetLastCheckpointAsync(cancellationToken);
        _lastSequence = last?.Sequence ?? 0;
        _lastHash = last?.Hash ?? AuditEntry.GenesisHash.ToArray();
        _lastCheckpoint = checkpoint?.Sequence ?? 0;

        if (_lastSequence > _lastCheckpoint)
        {
            using var publicKey = _key.ExportPublic();
            var tail = await new AuditVerifier(publicKey, _key.MlDsa65PublicKey).VerifySinceAsync(_store, checkpoint, cancellationToken);
            if (tail.IsIntact)
            {
                await _store.AppendAsync([], _key.Sign(_lastSequence, _lastHash, _time.GetUtcNow()), cancellationToken);
                _lastCheckpoint = _lastSequence;
            }
            else
            {
                LogTailBroken(_logger, tail.FirstBadSequence ?? 0, tail.Problem ?? string.Empty);
            }
        }

        _writer = Task.Run(WriteLoopAsync, CancellationToken.None);
    }

    /// <inheritdoc />
    public async Task<AuditEntry> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        Validate(record);
        var pending = new PendingAppend(record);
        await EnqueueAsync(pending, cancellationToken);

        // Once queued, the record is written even if the caller gives up waiting: the operation
        // it describes may already have happened.
        return await pending.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<AuditedOutcome<T>> CommitAsync<T>(AuditedWork<T> work, CancellationToken cancellationToken = default)
    {
        var pending = new PendingWork<T>(work);
        await EnqueueAsync(pending, cancellationToken);

        // Once queued the work may commit whatever the caller does, and what follows a commit (live
        // control, the CRL, live events) must then happen too: a caller that gave up (a client that
        // hung up) still waits for the outcome, so it never returns before its change is decided.
        return await pending.Completion.Task;
    }

    /// <summary>Writes what is queued, then a final checkpoint, and stops accepting records.</summary>
    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is null)
        {
            return;
        }

        await _writer;
        _writer = null;
        if (_lastSequence > _lastCheckpoint)
        {
            await _store.AppendAsync([], _key.Sign(_lastSequence, _lastHash, _time.GetUtcNow()), CancellationToken.None);
            _lastCheckpoint = _lastSequence;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();

    private async ValueTask EnqueueAsync(PendingUnit pending, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("the audit log is stopped; nothing more can be recorded");
        }
    }

    private static void Validate(AuditRecord record)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(record.Actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(record.Action);
        ArgumentNullException.ThrowIfNull(record.Target);
        if (record.Actor.Length > MaxFieldLength || record.Action.Length > MaxFieldLength || record.Target.Length > MaxFieldLength)
        {
            throw new ArgumentException($"audit actor, action and target are limited to {MaxFieldLength} characters", nameof(record));
        }

        if (record.Details is { } details
            && (details.Count > MaxDetails || details.Any(pair => pair.Key.Length > MaxFieldLength || pair.Value.Length > 4 * MaxFieldLength)))
        {
            throw new ArgumentException($"audit details are limited to {MaxDetails} pairs of bounded length", nameof(record));
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingUnit>(_options.MaxBatchSize);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _options.MaxBatchSize && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            await CommitAsync(batch);
        }
    }

    private async Task CommitAsync(List<PendingUnit> batch)
    {
        var now = _time.GetUtcNow();
        var sequence = _lastSequence;
        var previous = _lastHash;
        var lastCheckpoint = _lastCheckpoint;
        var entries = new List<AuditEntry>(batch.Count);
        var events = new List<SecurityEvent>();
        var committed = new List<(PendingUnit Unit, int First, int Count)>(batch.Count);
        AuditCheckpoint? checkpoint = null;
        IAuditTransaction? transaction = null;
        try
        {
            // 1. One transaction for the batch, holding the write lock from the start. When other
            //    nodes write the same chain, its head is read under that lock: entries stay totally
            //    ordered across the cluster (issue 15; docs/scale-out.md, "One audit chain").
            transaction = await _store.BeginAsync(now, CancellationToken.None);
            if (await transaction.ReadHeadAsync() is { } head)
            {
                (sequence, previous, lastCheckpoint) = (head.Sequence, head.Hash, head.CheckpointSequence);
            }

            foreach (var unit in batch)
            {
                // 2. Each work inside its own savepoint: one that throws (or refuses) undoes only itself.
                var records = await RunAsync(transaction, unit);
                if (records is null)
                {
                    continue;
                }

                // 3. Chain its records onto the batch so far, in memory.
                committed.Add((unit, entries.Count, records.Value.Records.Count));
                foreach (var record in records.Value.Records)
                {
                    var entry = AuditEntry.Create(++sequence, now, record, previous);
                    entries.Add(entry);
                    previous = entry.Hash;
                }

                events.AddRange(records.Value.Events);
            }

            // 4. The entries, a checkpoint when due, the events; one commit (one fsync) for all of it.
            //    Events' personal fields (source addresses) sealed first, as the event store's own writes are (issue 19 §1).
            for (var i = 0; _sealer is not null && i < events.Count; i++)
            {
                events[i] = await _sealer.SealAsync(events[i], CancellationToken.None);
            }

            checkpoint = sequence - lastCheckpoint >= _options.CheckpointInterval ? _key.Sign(sequence, previous, now) : null;
            await transaction.AppendAsync(entries, checkpoint, events);
            await transaction.CommitAsync();
        }
#pragma warning disable CA1031 // Every waiting caller must learn of the failure; the loop must survive it.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            // Nothing of the batch is stored and the chain stays where it was. Every unit learns of it
            // (one whose own work failed first keeps that failure: completion is set once).
            LogAppendFailed(_logger, exception, batch.Count);
            foreach (var unit in batch)
            {
                unit.Fail(new AuditLogException("the audit entry could not be stored durably", exception));
            }

            return;
        }
        finally
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }
        }

        // 5. Durable: advance the chain and release the callers.
        _lastSequence = sequence;
        _lastHash = previous;
        _lastCheckpoint = checkpoint is not null ? sequence : lastCheckpoint;

        foreach (var (unit, first, count) in committed)
        {
            unit.Complete(entries.GetRange(first, count));
        }
    }

    /// <summary>Runs one unit's work in a savepoint; null when it failed (the unit already knows why).</summary>
    private static async Task<(IReadOnlyList<AuditRecord> Records, IReadOnlyList<SecurityEvent> Events)?> RunAsync(IAuditTransaction transaction, PendingUnit unit)
    {
        if (!unit.HasWork)
        {
            return (unit.Records, []);
        }

        await transaction.SavepointAsync();
        (IReadOnlyList<AuditRecord> Records, IReadOnlyList<SecurityEvent> Events, bool Discarded) result;
        try
        {
            result = await unit.RunAsync(transaction);
            foreach (var record in result.Records)
            {
                Validate(record);
            }

            if (!result.Discarded && result.Records.Count == 0)
            {
                throw new InvalidOperationException("an audited change that keeps its writes must record at least one audit entry");
            }
        }
#pragma warning disable CA1031 // The work's failure is its caller's, not the batch's.
        catch (Exception exception) when (exception is not AuditLogException)
#pragma warning restore CA1031
        {
            await transaction.RollbackToSavepointAsync();
            unit.Fail(exception);
            return null;
        }

        if (result.Discarded)
        {
            await transaction.RollbackToSavepointAsync();
        }
        else
        {
            await transaction.ReleaseSavepointAsync();
        }

        return (result.Records, result.Events);
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Critical,
        Message = "Audit chain does not verify after the last checkpoint (first bad entry {Sequence}: {Problem}); no checkpoint signed over it. Run 'rampart audit verify'.")]
    private static partial void LogTailBroken(ILogger logger, long sequence, string problem);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Could not store {Count} audit entries durably")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, int count);
}
