namespace Rampart.Detection.Export;

/// <summary>Bounds and retry pacing of the export outbox (section <c>Rampart:Export:Outbox</c>).</summary>
public sealed class OutboxOptions
{
    /// <summary>Records kept per destination while it is unreachable; beyond this the oldest are dropped (and counted).</summary>
    public int MaxRowsPerDestination { get; set; } = 100_000;

    /// <summary>The default of <see cref="MaxCheckpointRowsPerDestination"/>.</summary>
    public const int DefaultMaxCheckpointRows = 10_000;

    /// <summary>
    /// Audit checkpoints kept per destination, counted apart from the events (whose flood cannot drop
    /// them); at the default checkpoint interval (1,000 entries) that is ten million audit entries' worth.
    /// </summary>
    public int MaxCheckpointRowsPerDestination { get; set; } = DefaultMaxCheckpointRows;

    /// <summary>Records older than this are dropped (and counted) even when there is room.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Records read from the event store, and sent to one destination, per round.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>The wait after the first failed delivery; it doubles per failure up to <see cref="MaxBackoff"/>, with jitter.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two attempts.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the event store and the audit checkpoints are looked at when nothing signalled new events.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a node's hold on a destination lasts without renewal when several nodes share the
    /// outbox (issue 15). The holder renews it every delivery round, so it must exceed the poll
    /// interval and a send; a node that died is replaced after at most this long.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>At most one <c>export.dropped</c> event per destination per this period (the drops in between are summed into it).</summary>
    public TimeSpan DropReportInterval { get; set; } = TimeSpan.FromMinutes(1);
}
