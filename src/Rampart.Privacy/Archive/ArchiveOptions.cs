namespace Rampart.Privacy.Archive;

/// <summary>
/// <c>Rampart:Privacy:Archive</c>: the opt-in telemetry archive (issue 19 §4). Nothing is archived
/// unless a topic family is listed; each region's messages go only to that region's store (§6).
/// </summary>
public sealed class ArchiveOptions
{
    /// <summary>Topic families archived (names of built-in or configured families); empty: no archive.</summary>
    public List<string> Families { get; set; } = [];

    /// <summary>
    /// Each region's store. Unset regions get one by default: a SQLite file <c>archive-{region}.db</c>
    /// in the data directory on a SQLite node, the schema <c>archive_{region}</c> of the node's
    /// database on a PostgreSQL node.
    /// </summary>
    public Dictionary<string, ArchiveStoreOptions> Stores { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Largest payload archived; a larger one is counted (<c>oversize</c>) and not kept.</summary>
    public int MaxPayloadBytes { get; set; } = 16 * 1024;

    /// <summary>Messages waiting to be written; when full, new ones are counted (<c>dropped</c>) and not kept, so the archive never slows the broker.</summary>
    public int QueueCapacity { get; set; } = 20_000;

    /// <summary>Messages written per transaction.</summary>
    public int BatchSize { get; set; } = 1_000;

    /// <summary>Most archived messages one export or query returns (it says when it was truncated).</summary>
    public int MaxExportMessages { get; set; } = 2_000_000;
}

/// <summary>Where one region's archive lives: a SQLite file, or a PostgreSQL connection string and schema.</summary>
public sealed class ArchiveStoreOptions
{
    /// <summary>A SQLite file (relative paths are under the data directory).</summary>
    public string? Path { get; set; }

    /// <summary>A PostgreSQL connection string (a database in the region).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The PostgreSQL schema (default <c>archive_{region}</c>).</summary>
    public string? Schema { get; set; }
}
