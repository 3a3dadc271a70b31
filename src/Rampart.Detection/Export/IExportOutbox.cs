namespace Rampart.Detection.Export;

/// <summary>
/// The persisted, bounded queue between the node's records and each export destination. Every
/// method is one durable transaction; a provider (SQLite now, PostgreSQL later) needs only plain
/// SQL over three tables (see <c>0006_export.sql</c>).
/// </summary>
public interface IExportOutbox
{
    /// <summary>How far <paramref name="source"/> (<see cref="OutboxSources"/>) has been enqueued; 0 when never.</summary>
    Task<long> GetCursorAsync(string source, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: adds each entry for its destination (an entry already queued under the
    /// same record id is ignored, so a repeated round duplicates nothing), drops what exceeds
    /// <paramref name="bounds"/> oldest first, counts the drops, and moves the cursor of
    /// <paramref name="source"/> to <paramref name="cursor"/>. Returns the drops per destination.
    /// The entries were read after position <paramref name="after"/>: when the stored cursor has moved
    /// past it meanwhile (another node enqueued — and may have delivered and deleted — those records), the
    /// round is stale and nothing is added; the next round reads on from the new cursor.
    /// </summary>
    Task<IReadOnlyDictionary<string, long>> EnqueueAsync(
        string source, long after, long cursor, IReadOnlyList<OutboxEntry> entries, OutboxBounds bounds, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Drops the records of every destination older than the bounds allow; returns the drops per destination.</summary>
    Task<IReadOnlyDictionary<string, long>> ExpireAsync(OutboxBounds bounds, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The oldest queued records of one destination, in order.</summary>
    Task<IReadOnlyList<OutboxItem>> PeekAsync(string destination, int limit, CancellationToken cancellationToken);

    /// <summary>Removes delivered records (ids at or below <paramref name="throughId"/>) and counts them; clears the failure state.</summary>
    Task MarkDeliveredAsync(string destination, long throughId, int count, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records a failed attempt and when the next may be made.</summary>
    Task MarkFailedAsync(string destination, string error, DateTimeOffset nextAttempt, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Every destination that has or had records: queued, delivered, dropped, failure state.</summary>
    Task<IReadOnlyList<DestinationStatus>> StatusAsync(CancellationToken cancellationToken);
}

/// <summary>The sources the outbox follows, each with its own cursor.</summary>
public static class OutboxSources
{
    /// <summary>The security event store (alerts included), by event id.</summary>
    public const string SecurityEvents = "security-events";

    /// <summary>The audit log's signed checkpoints, by sequence number.</summary>
    public const string AuditCheckpoints = "audit-checkpoints";
}

/// <summary>One record to queue for one destination.</summary>
public sealed record OutboxEntry(string Destination, string RecordId, string Payload);

/// <summary>A queued record.</summary>
public sealed record OutboxItem(long Id, string Destination, string RecordId, DateTimeOffset Enqueued, string Payload);

/// <summary>
/// How much one destination may hold: <paramref name="MaxRows"/> events and, apart from them,
/// <paramref name="MaxCheckpointRows"/> audit checkpoints (a flood of events must not push out the
/// checkpoints that make a truncated log detectable; they are few, one per audit checkpoint interval).
/// </summary>
public sealed record OutboxBounds(int MaxRows, TimeSpan MaxAge, int MaxCheckpointRows = OutboxOptions.DefaultMaxCheckpointRows);

/// <summary>What <c>rampart export status</c> and the metrics show for one destination.</summary>
public sealed record DestinationStatus(
    string Destination,
    long Queued,
    long Delivered,
    long Dropped,
    int FailedAttempts,
    string? LastError,
    DateTimeOffset? LastErrorTime,
    DateTimeOffset? LastDelivered,
    DateTimeOffset? NextAttempt);
