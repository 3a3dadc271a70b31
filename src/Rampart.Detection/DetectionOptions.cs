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

    /// <summary>How often the baselines devices learned are saved (and at every orderly stop); default 5 minutes, zero to save none (a restart relearns).</summary>
    public TimeSpan BaselineSaveInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A saved baseline not saved again for this long (the device was not seen) is deleted; default 30 days.</summary>
    public TimeSpan BaselineRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Windows a device's own baseline needs before it judges the device instead of its cohort; default 30.</summary>
    public int OwnBaselineAfterWindows { get; set; } = 30;

    /// <summary>Standard deviations above the mean that count as an exceedance of the device's own baseline; default 6.</summary>
    public double OwnDeviations { get; set; } = 6;

    /// <summary>Standard deviations above the cohort's mean that count as an exceedance; default 8 (a cohort varies more than one device).</summary>
    public double CohortDeviations { get; set; } = 8;

    /// <summary>
    /// The least sustained rise of a metric over the device's long reference, as a fraction of the
    /// reference's mean, that the drift detector reports; default 0.6 (+60 %). A sustained change of
    /// load below it is not drift (docs/detection.md, "Drift"): lower catches a drift sooner and alerts
    /// on smaller ordinary changes of level.
    /// </summary>
    public double DriftMinimumRise { get; set; } = 0.6;

    /// <summary>The EWMA weight α of the recent level the drift detector judges; default 0.1 (about ten windows). Higher follows a drift with less lag and more noise.</summary>
    public double DriftLevelWeight { get; set; } = 0.1;

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

        if (BaselineSaveInterval < TimeSpan.Zero || BaselineSaveInterval > TimeSpan.FromHours(24))
        {
            yield return "Detection:BaselineSaveInterval must be 0 to 24 hours";
        }

        if (BaselineRetention < TimeSpan.FromDays(1) || BaselineRetention > TimeSpan.FromDays(3650))
        {
            yield return "Detection:BaselineRetention must be 1 day to 10 years";
        }

        if (EvictIdleAfterWindows < 1 || RetainedWindows is < 1 or > 1000 || OwnBaselineAfterWindows is < 1 or > 10_000)
        {
            yield return "Detection:EvictIdleAfterWindows, RetainedWindows (≤ 1000) and OwnBaselineAfterWindows (≤ 10,000) must be positive";
        }

        if (ResolvedAlertRetention < TimeSpan.FromDays(1))
        {
            yield return "Detection:ResolvedAlertRetention must be at least 1 day";
        }

        if (DriftMinimumRise is < 0.1 or > 10 || DriftLevelWeight is < 0.01 or > 1)
        {
            yield return "Detection:DriftMinimumRise must be 0.1 to 10 and DriftLevelWeight 0.01 to 1";
        }

        if (OwnDeviations is < 1 or > 100 || CohortDeviations is < 1 or > 100)
        {
            yield return "Detection:OwnDeviations and CohortDeviations must be 1 to 100";
        }
    }
}
