namespace Rampart.Fleet.Audit;

/// <summary>Settings of the audit log writer (section <c>Rampart:Audit</c>).</summary>
public sealed class AuditOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Rampart:Audit";

    /// <summary>A signed checkpoint is written at least every this many entries (and on shutdown).</summary>
    public int CheckpointInterval { get; set; } = 1000;

    /// <summary>At most this many queued appends share one durable transaction (group commit).</summary>
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>Appends waiting for the writer; further callers wait for room, so memory stays bounded.</summary>
    public int QueueCapacity { get; set; } = 16_384;
}
