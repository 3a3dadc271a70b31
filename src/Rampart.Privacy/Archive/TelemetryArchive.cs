using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Rampart.Mqtt.Broker;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Keys;

namespace Rampart.Privacy.Archive;

/// <summary>
/// The opt-in telemetry archive (issue 19 §4): what devices of a subject sent on the families listed
/// in <see cref="ArchiveOptions.Families"/>, kept for forensics, sealed with the subject's data key
/// (§3), in the store of the subject's region only (§6), bounded by the <c>archive</c> retention (§5).
/// The broker's observer only enqueues (bounded; a full queue counts and drops, never blocks the
/// publisher); one writer seals and writes batches. A device linked to no subject is not archived:
/// there is no key to seal it with and nobody to answer a request for it.
/// Erasure (art. 17) forgets the cached data key and deletes the subject's rows under the writer's
/// lock, so no batch in flight writes rows after it with a key that still opens.
/// </summary>
public sealed partial class TelemetryArchive(
    ArchiveRegions regions, PrivacyPolicy policy, SubjectDirectory subjects, SubjectKeys keys, PrivacyOptions options, TimeProvider time, ILogger<TelemetryArchive> logger)
{
    private readonly ArchiveOptions _options = options.Archive;
    private readonly HashSet<string> _families = new(options.Archive.Families, StringComparer.Ordinal);
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(Math.Max(1, options.Archive.QueueCapacity))
    {
        FullMode = BoundedChannelFullMode.Wait, SingleReader = true,
    });

    private readonly SemaphoreSlim _writing = new(1, 1);
    private long _archived;
    private long _dropped;
    private long _oversize;
    private long _unowned;
    private long _failed;

    /// <summary>True when at least one family is archived.</summary>
    public bool Enabled => _families.Count > 0;

    /// <summary>What happened to offered messages so far.</summary>
    public ArchiveCounters Counters => new(Interlocked.Read(ref _archived), Interlocked.Read(ref _dropped), Interlocked.Read(ref _oversize), Interlocked.Read(ref _unowned), Interlocked.Read(ref _failed));

    /// <summary>The broker's observer: enqueues a message of an archived family from a subject's device. Quick, never throws, never blocks.</summary>
    public void Offer(MqttMessage message)
    {
        if (policy.Topics.Classify(message.Topic, out var deviceRange) is not { } family || !_families.Contains(family.Name))
        {
            return;
        }

        if (subjects.Find(message.Topic.AsSpan()[deviceRange]) is not { } subject)
        {
            Interlocked.Increment(ref _unowned);
            return;
        }

        if (message.Payload.Length > _options.MaxPayloadBytes)
        {
            Interlocked.Increment(ref _oversize);
            return;
        }

        if (!_queue.Writer.TryWrite(new Pending(subject.Pseudonym, subject.Region, message.Topic[deviceRange], family.Name, time.GetUtcNow(), message.Topic, message.Payload)))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>The writer: seals and writes what was offered, in batches, until <paramref name="cancellationToken"/> ends; then writes what is queued.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var batch = new List<Pending>(_options.BatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(cancellationToken))
            {
                await DrainAsync(batch, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await DrainAsync(batch, CancellationToken.None);
        }
    }

    /// <summary>Messages of a subject or device in a time range, opened, in id order; rows whose key was destroyed are skipped (they cannot be opened).</summary>
    public async IAsyncEnumerable<ArchivedMessage> ReadAsync(string region, ArchiveQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (regions.For(region) is not { } store)
        {
            yield break;
        }

        var after = query.AfterId;
        var left = Math.Min(query.Limit, _options.MaxExportMessages);
        while (left > 0)
        {
            var page = await store.ReadAsync(query with { AfterId = after, Limit = Math.Min(left, 10_000) }, cancellationToken);
            foreach (var row in page)
            {
                if (await KeyAsync(row.Pseudonym, cancellationToken) is { } dataKey)
                {
                    yield return ArchiveSealing.Open(dataKey, row);
                }
            }

            if (page.Count < Math.Min(left, 10_000))
            {
                yield break;
            }

            after = page[^1].Id;
            left -= page.Count;
        }
    }

    /// <summary>Deletes every archived message of a subject in every region (its key was destroyed first); returns how many.</summary>
    public async Task<int> EraseAsync(string pseudonym, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            Forget(pseudonym);
            var deleted = 0;
            foreach (var store in regions.All)
            {
                deleted += await store.DeleteSubjectAsync(pseudonym, cancellationToken);
            }

            return deleted;
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Deletes what is older than <paramref name="cutoff"/> in every region (retention); returns how many.</summary>
    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var store in regions.All)
        {
            deleted += await store.DeleteOlderThanAsync(cutoff, cancellationToken);
        }

        return deleted;
    }

    /// <summary>Messages held per region.</summary>
    public async Task<IReadOnlyDictionary<string, long>> HeldAsync(CancellationToken cancellationToken)
    {
        var held = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var store in regions.All)
        {
            held[store.Region] = await store.CountAsync(null, cancellationToken);
        }

        return held;
    }

    /// <summary>Messages of one subject held in its region's store.</summary>
    public async Task<long> HeldByAsync(string region, string pseudonym, CancellationToken cancellationToken) =>
        regions.For(region) is { } store ? await store.CountAsync(pseudonym, cancellationToken) : 0;

    private async Task DrainAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        while (_queue.Reader.TryPeek(out _))
        {
            batch.Clear();
            while (batch.Count < _options.BatchSize && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            await WriteAsync(batch, cancellationToken);
        }
    }

    private async Task WriteAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            foreach (var region in batch.GroupBy(p => p.Region, StringComparer.Ordinal))
            {
                var rows = new List<SealedMessage>();
                foreach (var pending in region)
                {
                    // A subject erased since its message was queued has no key any more: nothing is written for it.
                    if (await KeyAsync(pending.Pseudonym, cancellationToken) is { } dataKey)
                    {
                        rows.Add(ArchiveSealing.Seal(dataKey, pending.Pseudonym, pending.DeviceId, pending.Family, pending.Time, pending.Topic, pending.Payload.Span));
                    }
                }

                await AppendAsync(region.Key, rows, cancellationToken);
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task AppendAsync(string region, List<SealedMessage> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        if (regions.For(region) is not { } store)
        {
            // Never another region's store (§6): counted and logged instead.
            Interlocked.Add(ref _failed, rows.Count);
            LogNoStore(logger, region, rows.Count);
            return;
        }

        try
        {
            await store.AppendAsync(rows, cancellationToken);
            Interlocked.Add(ref _archived, rows.Count);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Interlocked.Add(ref _failed, rows.Count);
            LogWriteFailed(logger, exception, rows.Count, store.Target);
        }
    }

    private ValueTask<byte[]?> KeyAsync(string pseudonym, CancellationToken cancellationToken) => keys.GetAsync(pseudonym, cancellationToken);

    private void Forget(string pseudonym) => keys.Forget(pseudonym);

    [LoggerMessage(EventId = 4911, Level = LogLevel.Error, Message = "Archive: {Count} messages of region {Region} not kept: no archive store is open for the region")]
    private static partial void LogNoStore(ILogger logger, string region, int count);

    [LoggerMessage(EventId = 4912, Level = LogLevel.Error, Message = "Archive: writing {Count} messages to {Target} failed; they are not kept")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count, string target);

    private sealed record Pending(string Pseudonym, string Region, string DeviceId, string Family, DateTimeOffset Time, string Topic, ReadOnlyMemory<byte> Payload);
}

/// <summary>Offered messages: archived, dropped (queue full), oversize, of a device linked to no subject, failed to write.</summary>
public sealed record ArchiveCounters(long Archived, long Dropped, long Oversize, long Unowned, long Failed);
