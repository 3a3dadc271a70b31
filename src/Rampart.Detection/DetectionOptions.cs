namespace Rampart.Detection;

/// <summary>Detection and response settings (configuration section <c>Rampart:Detection</c>).</summary>
public sealed class DetectionOptions
{
    /// <summary>Whether the node watches behaviour at all; default on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long one behaviour window lasts; default 60 s.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Devices followed at once; past this, observations are counted, not kept (memory is bounded).</summary>
    public int MaxDevices { get; set; } = 100_000;

    /// <summary>A device silent and offline for this many windows stops being followed (its baselines stay).</summary>
    public int EvictIdleAfterWindows { get; set; } = 10;

    /// <summary>Recent windows kept per device as evidence; default 10.</summary>
    public int RetainedWindows { get; set; } = 10;

    /// <summary>How long closed windows stay in the database (<see cref="Metrics.IWindowStore"/>); default 1 hour, zero to keep none.</summary>
    public TimeSpan WindowRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Windows a device's own baseline needs before it judges the device instead of its cohort; default 30.</summary>
    public int OwnBaselineAfterWindows { get; set; } = 30;

    /// <summary>Standard deviations above the mean that count as an exceedance of the device's own baseline; default 6.</summary>
    public double OwnDeviations { get; set; } = 6;

    /// <summary>Standard deviations above the cohort's mean that count as an exceedance; default 8 (a cohort varies more than one device).</summary>
    public double CohortDeviations { get; set; } = 8;

    /// <summary>Resolved alerts are deleted this long after they were resolved (their audit entries stay); default 180 days.</summary>
    public TimeSpan ResolvedAlertRetention { get; set; } = TimeSpan.FromDays(180);

    /// <summary>A file of security profiles (static rules, JSON) loaded at start; optional.</summary>
    public string? ProfilesFile { get; set; }

    /// <summary>Returns what is wrong with the settings, if anything.</summary>
    public IEnumerable<string> Problems()
    {
        if (Window < TimeSpan.FromSeconds(1) || Window > TimeSpan.FromHours(1))
        {
            yield return "Detection:Window must be 1 s to 1 h";
        }

        if (MaxDevices is < 1 or > 10_000_000)
        {
            yield return "Detection:MaxDevices must be 1 to 10,000,000";
        }

        if (WindowRetention < TimeSpan.Zero || WindowRetention > TimeSpan.FromDays(7))
        {
            yield return "Detection:WindowRetention must be 0 to 7 days";
        }

        if (EvictIdleAfterWindows < 1 || RetainedWindows is < 1 or > 1000 || OwnBaselineAfterWindows is < 1 or > 10_000)
        {
            yield return "Detection:EvictIdleAfterWindows, RetainedWindows (≤ 1000) and OwnBaselineAfterWindows (≤ 10,000) must be positive";
        }

        if (ResolvedAlertRetention < TimeSpan.FromDays(1))
        {
            yield return "Detection:ResolvedAlertRetention must be at least 1 day";
        }

        if (OwnDeviations is < 1 or > 100 || CohortDeviations is < 1 or > 100)
        {
            yield return "Detection:OwnDeviations and CohortDeviations must be 1 to 100";
        }
    }
}
