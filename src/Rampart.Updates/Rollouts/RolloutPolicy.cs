namespace Rampart.Updates.Rollouts;

/// <summary>
/// How a rollout proceeds: a canary wave (a count or a percentage of the selected devices), then
/// growing waves up to each percentage in <see cref="Steps"/>; at most <see cref="RatePerMinute"/>
/// notifications a minute; a device that has not finished within <see cref="DeviceTimeout"/> of its
/// notification has failed. Once <see cref="MinimumExecuted"/> devices have finished, a failure
/// share above <see cref="AbortFailurePercent"/> aborts the rollout (the AWS IoT Jobs abort criteria).
/// </summary>
public sealed record RolloutPolicy
{
    /// <summary>Largest fleet one rollout may select.</summary>
    public const int MaxDevices = 1_000_000;

    /// <summary>Devices in the canary wave (used when <see cref="CanaryPercent"/> is null).</summary>
    public int CanaryCount { get; init; } = 5;

    /// <summary>Canary wave as a percentage of the selected devices (rounded up, at least one device).</summary>
    public double? CanaryPercent { get; init; }

    /// <summary>Cumulative percentages of the fleet after each wave following the canary; the last is 100.</summary>
    public IReadOnlyList<double> Steps { get; init; } = [10, 50, 100];

    /// <summary>Most devices notified per minute.</summary>
    public int RatePerMinute { get; init; } = 60;

    /// <summary>Failure share (failed or rolled back, of finished devices) above which the rollout aborts.</summary>
    public double AbortFailurePercent { get; init; } = 10;

    /// <summary>Finished devices needed before the abort criterion is judged.</summary>
    public int MinimumExecuted { get; init; } = 5;

    /// <summary>Time a notified device has to report success or failure.</summary>
    public TimeSpan DeviceTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The first thing wrong with the policy, or null.</summary>
    public string? Problem() =>
        CanaryPercent is null && CanaryCount < 1 ? "the canary wave needs at least one device"
        : CanaryPercent is { } percent && (double.IsNaN(percent) || percent <= 0 || percent > 100) ? "the canary percentage must be above 0 and at most 100"
        : Steps.Count is 0 or > 20 ? "give 1 to 20 wave steps"
        : Steps.Any(s => double.IsNaN(s) || s <= 0 || s > 100) ? "wave steps are percentages above 0 and at most 100"
        : Steps.Zip(Steps.Skip(1)).Any(pair => pair.Second <= pair.First) ? "wave steps must grow"
        : Steps[^1] != 100 ? "the last wave step must be 100 (every selected device)"
        : RatePerMinute is < 1 or > 100_000 ? "the rate must be 1 to 100,000 devices a minute"
        : double.IsNaN(AbortFailurePercent) || AbortFailurePercent is < 0 or > 100 ? "the abort failure percentage must be 0 to 100"
        : MinimumExecuted < 1 ? "the minimum executed before judging must be at least 1"
        : DeviceTimeout < TimeSpan.FromSeconds(1) || DeviceTimeout > TimeSpan.FromDays(30) ? "the device timeout must be 1 second to 30 days"
        : null;
}
