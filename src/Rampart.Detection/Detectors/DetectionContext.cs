using System.Globalization;
using Rampart.Detection.Baselines;
using Rampart.Detection.Metrics;

namespace Rampart.Detection.Detectors;

/// <summary>What a detector judges: one window, the device's profile and its cohort, and the settings.</summary>
public sealed class DetectionContext(BehaviourWindow window, DeviceProfile profile, DetectionOptions options)
{
    public BehaviourWindow Window { get; } = window;

    public DeviceProfile Profile { get; } = profile;

    public DetectionOptions Options { get; } = options;

    public Cohort? Cohort => Profile.Cohort;

    /// <summary>A finding of this window for <paramref name="detector"/>.</summary>
    public Finding Finding(string detector, AlertSeverity severity, string summary, Dictionary<string, string> evidence)
    {
        evidence["window-start"] = Window.Start.ToString("O", CultureInfo.InvariantCulture);
        evidence["window-end"] = Window.End.ToString("O", CultureInfo.InvariantCulture);
        return new Finding(detector, Window.DeviceId, severity, summary, evidence, Window.End);
    }

    /// <summary>A number as evidence shows it.</summary>
    public static string Show(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
