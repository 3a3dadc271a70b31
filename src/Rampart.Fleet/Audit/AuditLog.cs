using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
    private readonly Channel<PendingAppend> _queue;
    private Task? _writer;
    private long _lastSequence;
    private byte[] _lastHash = AuditEntry.GenesisHash.ToArray();
    private long _lastCheckpoint;

    public AuditLog(IAuditStore store, AuditSigningKey key, TimeProvider time, IOptions<AuditOptions> options, ILogger<AuditLog> logger)
    {
        _store = store;
        _key = key;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _queue = Channel.CreateBounded<PendingAppend>(new BoundedChannelOptions(_options.QueueCapacity)
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
            var tail = await new AuditVerifier(publicKey).VerifySinceAsync(_store, checkpoint, cancellationToken);
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
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("the audit log is stopped; nothing more can be recorded");
        }

        // Once queued, the record is written even if the caller gives up waiting: the operation
        // it describes may already have happened.
        return await pending.Completion.Task.WaitAsync(cancellationToken);
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
        var batch = new List<PendingAppend>(_options.MaxBatchSize);
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

    private async Task CommitAsync(List<PendingAppend> batch)
    {
        // 1. Chain the batch onto the last durable entry, in memory.
        var now = _time.GetUtcNow();
        var entries = new AuditEntry[batch.Count];
        var sequence = _lastSequence;
        var previous = _lastHash;
        for (var i = 0; i < batch.Count; i++)
        {
            entries[i] = AuditEntry.Create(++sequence, now, batch[i].Record, previous);
            previous = entries[i].Hash;
        }

        var checkpoint = sequence - _lastCheckpoint >= _options.CheckpointInterval
            ? _key.Sign(sequence, previous, now)
            : null;

        // 2. One transaction; a failure stores none of it and the chain stays where it was.
        try
        {
            await _store.AppendAsync(entries, checkpoint, CancellationToken.None);
        }
#pragma warning disable CA1031 // Every waiting caller must learn of the failure; the loop must survive it.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogAppendFailed(_logger, exception, batch.Count);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(new AuditLogException("the audit entry could not be stored durably", exception));
            }

            return;
        }

        // 3. Durable: advance the chain and release the callers.
        _lastSequence = sequence;
        _lastHash = previous;
        if (checkpoint is not null)
        {
            _lastCheckpoint = sequence;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Completion.TrySetResult(entries[i]);
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Critical,
        Message = "Audit chain does not verify after the last checkpoint (first bad entry {Sequence}: {Problem}); no checkpoint signed over it. Run 'rampart audit verify'.")]
    private static partial void LogTailBroken(ILogger logger, long sequence, string problem);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Could not store {Count} audit entries durably")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, int count);

    private sealed class PendingAppend(AuditRecord record)
    {
        public AuditRecord Record { get; } = record;

        public TaskCompletionSource<AuditEntry> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
