namespace Rampart.Detection.Baselines;

/// <summary>
/// Devices of one model on one firmware version: what a new device is judged against from its first
/// window (issue 14, item 2), and what catches a device drifting away from its peers.
/// </summary>
public sealed class Cohort(string key, int span)
{
    /// <summary>Device windows a cohort needs before it judges anyone (fewer say nothing about normal).</summary>
    public const int MinimumSamples = 20;

    /// <summary><c>model/firmware-version</c>.</summary>
    public string Key { get; } = key;

    public MetricBaseline Baseline { get; } = new(span);

    /// <summary>Whether the cohort has seen enough to judge.</summary>
    public bool Ready => Baseline.Samples >= MinimumSamples;

    public static string KeyOf(string? model, string? firmwareVersion) => (model ?? "unknown-model") + "/" + (firmwareVersion ?? "unknown-firmware");
}
