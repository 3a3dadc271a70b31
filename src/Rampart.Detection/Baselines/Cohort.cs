namespace Rampart.Detection.Baselines;

/// <summary>
/// Devices of one model on one firmware version: what a new device is judged against from its first
/// window (issue 14, item 2), and what catches a device drifting away from its peers. Both parts of the
/// key come from the inventory, never from what a device reports (docs/detection.md, "Poisoning
/// defences"): a device cannot choose the cohort it learns into or is judged by.
/// </summary>
public sealed class Cohort(string key, int span)
{
    /// <summary>Device windows a cohort needs before it judges anyone (fewer say nothing about normal).</summary>
    public const int MinimumSamples = 20;

    /// <summary>
    /// Distinct devices a cohort needs before it judges anyone: a handful of devices (compromised ones,
    /// or one that reports often) cannot alone decide what normal is for the devices that join later.
    /// </summary>
    public const int MinimumDevices = 5;

    /// <summary>Longest model or version kept in a key (the rest is cut; the inventory limits them too).</summary>
    public const int MaxKeyPartLength = 64;

    private readonly HashSet<string> _devices = new(StringComparer.Ordinal);

    /// <summary><c>model/firmware-version</c>.</summary>
    public string Key { get; } = key;

    public MetricBaseline Baseline { get; } = new(span);

    /// <summary>Distinct devices that contributed, counted up to <see cref="MinimumDevices"/> (all that readiness needs).</summary>
    public int Devices => _devices.Count;

    /// <summary>Whether the cohort has seen enough windows from enough devices to judge.</summary>
    public bool Ready => Baseline.Samples >= MinimumSamples && _devices.Count >= MinimumDevices;

    /// <summary>Learns one device's window (call once per device and window, gated like the own baseline).</summary>
    public void Learn(string deviceId, Metrics.BehaviourWindow window)
    {
        if (_devices.Count < MinimumDevices)
        {
            _devices.Add(deviceId);
        }

        Baseline.Learn(window);
    }

    public static string KeyOf(string? model, string? firmwareVersion) => Part(model, "unknown-model") + "/" + Part(firmwareVersion, "unknown-firmware");

    private static string Part(string? value, string unknown) =>
        string.IsNullOrEmpty(value) ? unknown : value.Length > MaxKeyPartLength ? value[..MaxKeyPartLength] : value;
}
