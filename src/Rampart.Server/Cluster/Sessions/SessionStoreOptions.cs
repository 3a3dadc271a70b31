namespace Rampart.Server.Cluster.Sessions;

/// <summary>
/// Persistent MQTT sessions in the node's store (section <c>Rampart:Sessions</c>, docs/scale-out.md
/// "Persistent sessions"): what a session that outlives its connection holds is written behind, at
/// an interval, to SQLite or the cluster's PostgreSQL.
/// </summary>
public sealed class SessionStoreOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Rampart:Sessions";

    /// <summary>
    /// Write persistent sessions and retained messages to the store (default on); off keeps them in
    /// memory only, as before issue 15. Both are written every <see cref="FlushInterval"/>.
    /// </summary>
    public bool Persist { get; set; } = true;

    /// <summary>
    /// How often changed sessions are written (default 1 s): one write per changed session per
    /// interval, however many messages it queued. A kill -9 loses at most the changes of the last interval.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Largest stored state of one session (default 1 MiB): subscriptions always, then its messages
    /// oldest first; the newest beyond the bound stay in memory only (counted and logged).
    /// </summary>
    public int MaximumStoredBytes { get; set; } = 1024 * 1024;

    /// <summary>How often sessions that expired unresumed are deleted from the store.</summary>
    public TimeSpan ExpiryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The first problem with the settings, or null.</summary>
    public string? Problem() =>
        FlushInterval < TimeSpan.FromMilliseconds(10) || FlushInterval > TimeSpan.FromMinutes(1) ? "FlushInterval must be between 10 ms and 1 minute"
        : MaximumStoredBytes < 4096 ? "MaximumStoredBytes must be at least 4096"
        : ExpiryInterval <= TimeSpan.Zero ? "ExpiryInterval must be positive"
        : null;
}
