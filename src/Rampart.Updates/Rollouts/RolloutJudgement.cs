namespace Rampart.Updates.Rollouts;

/// <summary>Device counts of a rollout (or of one wave) by state.</summary>
public sealed record RolloutCounts(IReadOnlyDictionary<RolloutDeviceState, int> ByState)
{
    /// <summary>Devices in <paramref name="state"/>.</summary>
    public int this[RolloutDeviceState state] => ByState.GetValueOrDefault(state);

    /// <summary>All devices counted.</summary>
    public int Total => ByState.Values.Sum();

    /// <summary>Finished devices that were sent the release (succeeded, failed, rolled back).</summary>
    public int Executed => this[RolloutDeviceState.Succeeded] + Failures;

    /// <summary>Failed or rolled back.</summary>
    public int Failures => this[RolloutDeviceState.Failed] + this[RolloutDeviceState.RolledBack];

    /// <summary>Devices not yet finished (pending, notified, downloading, installing).</summary>
    public int Open => Total - Executed - this[RolloutDeviceState.Skipped];
}

/// <summary>The abort and success criteria.</summary>
public static class RolloutJudgement
{
    /// <summary>
    /// Why the rollout must abort now, or null: once <see cref="RolloutPolicy.MinimumExecuted"/> devices
    /// have finished, a failure share above <see cref="RolloutPolicy.AbortFailurePercent"/>.
    /// </summary>
    public static string? AbortReason(RolloutCounts counts, RolloutPolicy policy)
    {
        if (counts.Executed < policy.MinimumExecuted || counts.Executed == 0)
        {
            return null;
        }

        var percent = 100.0 * counts.Failures / counts.Executed;
        return percent > policy.AbortFailurePercent
            ? $"{counts.Failures} of {counts.Executed} devices failed ({percent:0.#} % > {policy.AbortFailurePercent:0.#} %)"
            : null;
    }

    /// <summary>True when no device is left to notify or to hear from.</summary>
    public static bool IsComplete(RolloutCounts counts) => counts.Open == 0;
}
