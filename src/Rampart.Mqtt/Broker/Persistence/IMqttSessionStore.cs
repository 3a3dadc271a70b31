namespace Rampart.Mqtt.Broker.Persistence;

/// <summary>
/// One persistent session as stored (migration 0019, table <c>mqtt_sessions</c>): keyed by client id
/// and the principal that owns it (another identity using the same client id has a session of its
/// own, never this one), the node that holds it now, when it ends if nobody resumes it, and its state
/// (<see cref="SessionState"/>, encoded by <see cref="SessionStateCodec"/>).
/// </summary>
public sealed record StoredSession(string ClientId, string Owner, string NodeId, DateTimeOffset ExpiresAt, byte[] State)
{
    /// <summary>When its holder last wrote it (set when read back by a claim).</summary>
    public DateTimeOffset? WrittenAt { get; init; }
}

/// <summary>A stored session to forget: only if the writing node still holds it, or wherever it is (<paramref name="AnyNode"/>: a clean start discards it, MQTT 5 §3.1.2.4).</summary>
public sealed record SessionRemoval(string ClientId, string Owner, bool AnyNode);

/// <summary>
/// Where persistent MQTT sessions are kept between connections, node restarts and nodes (issue 15):
/// the node's SQLite file, or the cluster's PostgreSQL. A node writes only rows it holds, so a node
/// that lost a session to another (takeover, a device moving) cannot overwrite the newer state.
/// </summary>
public interface IMqttSessionStore
{
    /// <summary>
    /// Writes <paramref name="saved"/> (inserted, or replacing rows <paramref name="nodeId"/> holds) and
    /// applies <paramref name="removed"/>, in one transaction, stamped <paramref name="now"/>. Rows another node claimed are left alone.
    /// </summary>
    Task SaveAsync(string nodeId, IReadOnlyList<StoredSession> saved, IReadOnlyList<SessionRemoval> removed, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the session of <paramref name="clientId"/> owned by <paramref name="owner"/> to
    /// <paramref name="nodeId"/> and returns it; null when there is none that ends after <paramref name="now"/>.
    /// </summary>
    Task<StoredSession?> ClaimAsync(string clientId, string owner, string nodeId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes sessions that ended by <paramref name="now"/>; returns how many.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
