using System.Globalization;

namespace Rampart.Detection.Detectors;

/// <summary>
/// Restarts in a loop: at least <paramref name="restarts"/> restarts (boot counter increments, or uptime
/// going back) within the last <see cref="Baselines.DeviceProfile.RebootHistory"/> windows — a crash loop
/// from a bad update, a watchdog fighting an implant, or a power-glitch attack.
/// </summary>
public sealed class RebootLoopDetector(int restarts = 3) : IDetector
{
    public string Name => "sequence.reboot-loop";

    public void Evaluate(DetectionContext context, List<Finding> findings)
    {
        var recent = context.Profile.RecordReboots((int)context.Window[Metrics.BehaviourMetric.Reboots]);
        if (recent >= restarts && context.Window[Metrics.BehaviourMetric.Reboots] > 0)
        {
            findings.Add(context.Finding(Name, AlertSeverity.High, $"{recent} restarts in the last {Baselines.DeviceProfile.RebootHistory} windows",
                new() { ["restarts"] = recent.ToString(CultureInfo.InvariantCulture), ["boot-counter"] = context.Window.Posture?.BootCounter?.ToString(CultureInfo.InvariantCulture) ?? "-" }));
        }
    }
}

/// <summary>
/// The firmware measurement changed while the version the inventory records as installed did not: the
/// image was altered without an update (threat model, "Physical tampering"). Only a change of the
/// server's record counts as an update — the version the device reports is what an implant would change
/// along with the image. Only for a device whose inventory records no version is the reported version
/// used (a weaker check, docs/detection.md "Sequences").
/// </summary>
public sealed class MeasurementChangedDetector : IDetector
{
    public const string DetectorName = "sequence.measurement-changed";

    public string Name => DetectorName;

    public void Evaluate(DetectionContext context, List<Finding> findings)
    {
        var posture = context.Window.Posture;
        var profile = context.Profile;
        var installed = profile.Facts?.FirmwareVersion;
        var updated = installed is null && profile.MeasuredVersion is null ? posture?.FirmwareVersion != profile.FirmwareVersion : installed != profile.MeasuredVersion;
        if (posture?.Measurement is { } measurement && profile.Measurement is { } previous && measurement != previous && !updated)
        {
            findings.Add(context.Finding(Name, AlertSeverity.Critical, $"firmware measurement changed without an update (installed version {installed ?? "-"})",
                new() { ["installed-version"] = installed ?? "-", ["reported-version"] = posture.FirmwareVersion ?? "-", ["previous"] = previous, ["reported"] = measurement }));
        }
    }
}

/// <summary>A tamper switch the device reports (case opened, debug header attached).</summary>
public sealed class TamperDetector : IDetector
{
    public string Name => "sequence.tamper";

    public void Evaluate(DetectionContext context, List<Finding> findings)
    {
        if (context.Window.Posture is { TamperFlags.Count: > 0 } posture)
        {
            findings.Add(context.Finding(Name, AlertSeverity.High, $"tamper reported: {string.Join(", ", posture.TamperFlags)}", new() { ["flags"] = string.Join(",", posture.TamperFlags) }));
        }
    }
}

/// <summary>
/// The gateway's clone detection folded in: the same certificate connected from a second address
/// while its session was live (<c>gateway.possible-cloned-identity</c>).
/// </summary>
public sealed class ClonedIdentityDetector : IDetector
{
    public string Name => "gateway.cloned-identity";

    public void Evaluate(DetectionContext context, List<Finding> findings)
    {
        if (context.Window.Events.GetValueOrDefault("gateway.possible-cloned-identity") is var count and > 0)
        {
            findings.Add(context.Finding(Name, AlertSeverity.High, $"the device's identity connected from another address {count} time(s) while its session was live",
                new() { ["takeovers"] = count.ToString(CultureInfo.InvariantCulture), ["sources"] = string.Join(",", context.Window.Sources) }));
        }
    }
}

/// <summary>
/// The gateway's scanner detection folded in: at least <paramref name="denials"/> publishes or
/// subscriptions refused by the device's permissions in one window (probing other devices' topics, wildcards).
/// </summary>
public sealed class ScannerDetector(int denials = 5) : IDetector
{
    public string Name => "gateway.scanner";

    public void Evaluate(DetectionContext context, List<Finding> findings)
    {
        var refused = context.Window[Metrics.BehaviourMetric.AuthorizationFailures];
        if (refused >= denials)
        {
            findings.Add(context.Finding(Name, AlertSeverity.High, $"{DetectionContext.Show(refused)} authorisation denials in one window (probing topics it may not use)",
                new() { ["authorization-failures"] = DetectionContext.Show(refused), ["threshold"] = denials.ToString(CultureInfo.InvariantCulture) }));
        }
    }
}
