namespace Rampart.Detection.Baselines;

/// <summary>
/// What each device's baselines learned, kept across restarts (issue 14, item 2: "baselines learned
/// online"; a restart must not send every device back to its cohort for 30 windows). One row per
/// device, replaced when saved (<see cref="StoredBaseline"/>: 418 bytes). Telemetry the node derived,
/// not a state change: written outside the audit log, like the behaviour windows.
/// </summary>
public interface IBaselineStore
{
    /// <summary>Saves the devices' baselines in one transaction, replacing what each had.</summary>
    Task SaveAsync(IReadOnlyList<StoredBaseline> baselines, CancellationToken cancellationToken);

    /// <summary>The <paramref name="limit"/> most recently saved baselines.</summary>
    Task<IReadOnlyList<StoredBaseline>> LoadAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Deletes baselines last saved before <paramref name="cutoff"/> (devices not seen since); returns how many.</summary>
    Task<int> DeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}

/// <summary>One device's baselines as stored: <see cref="BaselineSnapshot"/>'s bytes and when they were saved.</summary>
public sealed record StoredBaseline(string DeviceId, DateTimeOffset SavedAt, byte[] State);
