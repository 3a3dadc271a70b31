namespace Rampart.Updates.Tuf;

/// <summary>The TUF client's bounds (§5.2: an attacker must not feed endless data or an endless search) and its target cache.</summary>
public sealed record TufClientOptions
{
    /// <summary>Largest root accepted (512 KiB).</summary>
    public long MaxRootLength { get; init; } = TufClient.MaxRootLength;

    /// <summary>Largest timestamp accepted.</summary>
    public long MaxTimestampLength { get; init; } = TufClient.MaxTimestampLength;

    /// <summary>Largest snapshot accepted when the timestamp does not sign its length.</summary>
    public long MaxSnapshotLength { get; init; } = TufClient.MaxMetadataLength;

    /// <summary>Largest targets or delegated targets file accepted when the snapshot does not sign its length (100,000 targets are about 17 MiB).</summary>
    public long MaxTargetsLength { get; init; } = TufClient.MaxMetadataLength;

    /// <summary>How many root versions one refresh may move through (§5.3.2).</summary>
    public int MaxRootRotations { get; init; } = TufClient.MaxRootRotations;

    /// <summary>How many targets roles one target search may visit (§5.6.7.1).</summary>
    public int MaxDelegations { get; init; } = 32;

    /// <summary>Where downloaded targets are kept so one already held is not fetched again; null keeps none.</summary>
    public TargetCache? TargetCache { get; init; }

    internal TufClientOptions Validated() =>
        MaxRootLength < 1 || MaxTimestampLength < 1 || MaxSnapshotLength < 1 || MaxTargetsLength < 1 || MaxRootRotations < 1 || MaxDelegations < 1
            ? throw new ArgumentOutOfRangeException(nameof(TufClientOptions), "every TUF client bound must be positive")
            : this;
}
