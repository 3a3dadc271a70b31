using System.Diagnostics.Metrics;
using Rampart.Detection.Detectors;

namespace Rampart.Detection;

/// <summary>
/// Detection's figures as <see cref="System.Diagnostics.Metrics"/> instruments on the meter
/// <c>Rampart.Detection</c> (the node's exporter publishes every <c>Rampart.*</c> meter on /metrics):
/// open alerts by severity, findings, automatic containments (done and held for a person), and how long
/// detectors take per window.
/// </summary>
public sealed class DetectionMeter : IDisposable
{
    public const string Name = "Rampart.Detection";

    private readonly Meter _meter = new(Name, "1.0");
    private readonly long[] _open = new long[Enum.GetValues<AlertSeverity>().Length];
    private long _devices;
    private long _evicted;
    private long _unknown;
    private long _withoutCohort;

    public DetectionMeter()
    {
        Findings = _meter.CreateCounter<long>("rampart.detection.findings", description: "Findings detectors raised (before deduplication into alerts)");
        Containments = _meter.CreateCounter<long>("rampart.detection.containments", description: "Automatic responses carried out, by action");
        Held = _meter.CreateCounter<long>("rampart.detection.containments.held", description: "Automatic responses held for a person (guard rail or four-eyes)");
        Evaluation = _meter.CreateHistogram<double>("rampart.detection.evaluation.duration", unit: "ms", description: "Time to judge one window of every followed device");
        _meter.CreateObservableGauge("rampart.detection.alerts.open", () => Enum.GetValues<AlertSeverity>().Select(severity =>
            new Measurement<long>(Interlocked.Read(ref _open[(int)severity]), new KeyValuePair<string, object?>("severity", severity.ToString().ToLowerInvariant()))),
            description: "Alerts open, acknowledged or suppressed (not resolved), by severity");
        _meter.CreateObservableGauge("rampart.detection.devices", () => Interlocked.Read(ref _devices), description: "Devices with a behaviour profile");
        _meter.CreateObservableCounter("rampart.detection.profiles.evicted", () => Interlocked.Read(ref _evicted), description: "Profiles evicted, least recently judged first, to make room past Detection:MaxDevices");
        _meter.CreateObservableCounter("rampart.detection.windows.unknown-device", () => Interlocked.Read(ref _unknown), description: "Windows of ids the inventory does not know, not judged");
        _meter.CreateObservableCounter("rampart.detection.windows.without-cohort", () => Interlocked.Read(ref _withoutCohort), description: "Windows judged without a cohort (cohort table full)");
    }

    /// <summary>The meter itself (for listeners in tests; exporters find it by <see cref="Name"/>).</summary>
    public Meter Meter => _meter;

    public Counter<long> Findings { get; }

    public Counter<long> Containments { get; }

    public Counter<long> Held { get; }

    public Histogram<double> Evaluation { get; }

    /// <summary>Sets the open-alert gauge from the store's counts.</summary>
    public void OpenAlerts(IReadOnlyDictionary<AlertSeverity, long> counts)
    {
        foreach (var severity in Enum.GetValues<AlertSeverity>())
        {
            Interlocked.Exchange(ref _open[(int)severity], counts.GetValueOrDefault(severity));
        }
    }

    public void Devices(long count) => Interlocked.Exchange(ref _devices, count);

    /// <summary>Sets the engine's running totals (evicted profiles, windows of unknown ids, windows without a cohort).</summary>
    public void Engine(long evicted, long unknown, long withoutCohort)
    {
        Interlocked.Exchange(ref _evicted, evicted);
        Interlocked.Exchange(ref _unknown, unknown);
        Interlocked.Exchange(ref _withoutCohort, withoutCohort);
    }

    public void Dispose() => _meter.Dispose();
}
