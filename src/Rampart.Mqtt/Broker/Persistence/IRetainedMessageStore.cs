namespace Rampart.Mqtt.Broker.Persistence;

/// <summary>
/// One retained topic as stored (table <c>mqtt_retained</c>): its message in
/// <see cref="RetainedMessageCodec"/>'s form, or null once cleared (an empty retained PUBLISH, MQTT 5
/// §3.3.1.3) — kept for a while as a tombstone, so an older value written late by another node does not
/// come back; when it expires (message expiry, §3.3.2.3.3); when it was set, which orders writers.
/// </summary>
public sealed record StoredRetained(string Topic, byte[]? Message, DateTimeOffset? ExpiresAt, DateTimeOffset SetAt);

/// <summary>
/// Where retained messages are kept beyond the process (issue 15 items 3 and 5): the node's SQLite file,
/// or the cluster's PostgreSQL, where a node that starts later reads what the others retained.
/// </summary>
public interface IRetainedMessageStore
{
    /// <summary>Writes <paramref name="changes"/> in one transaction; a row set later than a change (by another node) is kept.</summary>
    Task SaveAsync(IReadOnlyList<StoredRetained> changes, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> retained messages that have not expired by <paramref name="now"/> (no tombstones), newest first.</summary>
    Task<IReadOnlyList<StoredRetained>> LoadAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes expired messages and tombstones cleared before <paramref name="tombstonesBefore"/>; returns how many.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset now, DateTimeOffset tombstonesBefore, CancellationToken cancellationToken);
}
