namespace Rampart.Privacy.Archive;

/// <summary>
/// One region's telemetry archive (implemented in Rampart.Storage for SQLite and PostgreSQL). Rows
/// carry the subject's pseudonym, the device, the topic family and the time in clear (what queries,
/// erasure and retention select on); the topic and payload only sealed with the subject's data key.
/// </summary>
public interface IArchiveStore : IAsyncDisposable
{
    /// <summary>The region whose data this store holds (recorded in the store; a store of another region is refused when opened).</summary>
    string Region { get; }

    /// <summary>Where it is, for messages: a file or host:port/database/schema, never credentials.</summary>
    string Target { get; }

    /// <summary>Appends rows in one transaction.</summary>
    Task AppendAsync(IReadOnlyList<SealedMessage> rows, CancellationToken cancellationToken);

    /// <summary>Up to <see cref="ArchiveQuery.Limit"/> rows after <see cref="ArchiveQuery.AfterId"/> in id order.</summary>
    Task<IReadOnlyList<StoredArchiveRow>> ReadAsync(ArchiveQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes every row of a subject (erasure, after its key was destroyed); returns how many.</summary>
    Task<int> DeleteSubjectAsync(string pseudonym, CancellationToken cancellationToken);

    /// <summary>Deletes rows older than <paramref name="cutoff"/> (retention); returns how many.</summary>
    Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);

    /// <summary>Rows held (of one subject, with <paramref name="pseudonym"/>).</summary>
    Task<long> CountAsync(string? pseudonym, CancellationToken cancellationToken);
}

/// <summary>A message sealed for the archive, to be written.</summary>
public sealed record SealedMessage(string Pseudonym, string DeviceId, string Family, DateTimeOffset Time, byte[] Sealed);

/// <summary>An archived row as stored.</summary>
public sealed record StoredArchiveRow(long Id, string Pseudonym, string DeviceId, string Family, DateTimeOffset Time, byte[] Sealed);

/// <summary>Which rows to read: a subject's or a device's (at least one), in a time range [From, To), after an id.</summary>
public sealed record ArchiveQuery(string? Pseudonym, string? DeviceId, DateTimeOffset? From, DateTimeOffset? To, long AfterId, int Limit);

/// <summary>An archived message, opened.</summary>
public sealed record ArchivedMessage(long Id, string DeviceId, string Family, DateTimeOffset Time, string Topic, byte[] Payload);
