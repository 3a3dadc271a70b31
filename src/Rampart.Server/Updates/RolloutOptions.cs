namespace Rampart.Server.Updates;

/// <summary>Rollout engine settings (section <c>Rampart:Rollouts</c>).</summary>
public sealed class RolloutOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Rampart:Rollouts";

    /// <summary>How often running rollouts are advanced (timeouts, criteria, waves, notifications).</summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Device reports waiting to be recorded; more are dropped (and the device times out or reports again).</summary>
    public int ReportQueue { get; set; } = 10_000;
}
