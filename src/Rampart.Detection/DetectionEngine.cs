using System.Diagnostics;
using Rampart.Detection.Baselines;
using Rampart.Detection.Detectors;
using Rampart.Detection.Metrics;
using Rampart.Detection.Profiles;
using Rampart.Fleet.Inventory;

namespace Rampart.Detection;

/// <summary>
/// Judges closed windows: 1. finds or creates the device's profile and its cohort (model and the
/// firmware version it reports), 2. fills the metrics that need the profile (new source addresses),
/// 3. runs every detector, 4. learns the window into the own and cohort baselines only if nothing was
/// found (gated: an attack is never learned as normal), 5. learns novel facts (addresses, ports,
/// destinations, measurement) and keeps the window as history. Single writer: the host calls it from
/// one loop; readers (the API) take the same lock.
/// </summary>
public sealed class DetectionEngine
{
    /// <summary>Windows after which a profile's inventory facts are read again.</summary>
    public const int FactsRefreshWindows = 10;

    private readonly DetectionOptions _options;
    private readonly IReadOnlyList<IDetector> _detectors;
    private readonly IDeviceStore? _devices;
    private readonly DetectionMeter? _meter;
    private readonly Dictionary<string, DeviceProfile> _profiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Cohort> _cohorts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private RuleSet _rules;
    private long _unprofiled;

    public DetectionEngine(DetectionOptions options, RuleSet rules, IDeviceStore? devices = null, DetectionMeter? meter = null, IEnumerable<IDetector>? extra = null)
    {
        _options = options;
        _rules = rules;
        _devices = devices;
        _meter = meter;
        _detectors =
        [
            .. BaselineDetector.Defaults,
            .. DriftDetector.Defaults,
            new StaticRuleDetector(() => Volatile.Read(ref _rules)),
            new NewSourceDetector(),
            new NewListeningPortDetector(),
            new NewDestinationDetector(),
            new RebootLoopDetector(),
            new MeasurementChangedDetector(),
            new TamperDetector(),
            new ClonedIdentityDetector(),
            new ScannerDetector(),
            .. extra ?? [],
        ];
    }

    /// <summary>The detectors in force, by name (static rules appear as <c>rule</c>).</summary>
    public IReadOnlyList<string> DetectorNames => _detectors.Select(d => d.Name).ToArray();

    /// <summary>The static rules in force.</summary>
    public RuleSet Rules => Volatile.Read(ref _rules);

    /// <summary>Swaps the static rules (whole).</summary>
    public void UseRules(IReadOnlyList<StaticRule> rules)
    {
        var current = Volatile.Read(ref _rules);
        Volatile.Write(ref _rules, new RuleSet(rules, current.Version + 1));
    }

    /// <summary>Devices with a profile.</summary>
    public int Profiles
    {
        get
        {
            lock (_lock)
            {
                return _profiles.Count;
            }
        }
    }

    /// <summary>Windows of devices past <see cref="DetectionOptions.MaxDevices"/> profiles, not judged.</summary>
    public long Unprofiled => Interlocked.Read(ref _unprofiled);

    /// <summary>Judges windows; returns the findings (already gated out of the baselines).</summary>
    public async Task<IReadOnlyList<Finding>> EvaluateAsync(IReadOnlyList<BehaviourWindow> windows, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var profiles = new DeviceProfile?[windows.Count];
        lock (_lock)
        {
            for (var i = 0; i < windows.Count; i++)
            {
                profiles[i] = ProfileFor(windows[i].DeviceId);
            }
        }

        // Inventory facts are read outside the lock (a database read per device every few windows).
        for (var i = 0; i < windows.Count; i++)
        {
            if (profiles[i] is { } profile && _devices is not null && (profile.Facts is null || profile.FactsAge >= FactsRefreshWindows))
            {
                var device = DeviceIds.CanName(profile.DeviceId) ? await _devices.GetAsync(profile.DeviceId, cancellationToken) : null;
                profile.Facts = device is null ? new DeviceFacts(null, null, null, []) : new DeviceFacts(device.Model, device.FirmwareVersion, device.Zone, device.Tags);
                profile.FactsAge = 0;
            }
        }

        var findings = new List<Finding>();
        lock (_lock)
        {
            var found = new List<Finding>();
            for (var i = 0; i < windows.Count; i++)
            {
                if (profiles[i] is not { } profile)
                {
                    continue;
                }

                found.Clear();
                Judge(windows[i], profile, found);
                findings.AddRange(found);
            }

            _meter?.Devices(_profiles.Count);
        }

        _meter?.Findings.Add(findings.Count);
        _meter?.Evaluation.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return findings;
    }

    /// <summary>A device's profile (for the API's evidence and the bench's memory figure); read under the engine's lock.</summary>
    public T? Read<T>(string deviceId, Func<DeviceProfile, T> read)
    {
        lock (_lock)
        {
            return _profiles.TryGetValue(deviceId, out var profile) ? read(profile) : default;
        }
    }

    /// <summary>Every profile's approximate size, summed (the bench's memory figure).</summary>
    public long ApproximateBytes()
    {
        lock (_lock)
        {
            return _profiles.Values.Sum(p => (long)p.ApproximateBytes) + (_cohorts.Count * (long)(MetricBaseline.ApproximateBytes + 64));
        }
    }

    private DeviceProfile? ProfileFor(string deviceId)
    {
        if (_profiles.TryGetValue(deviceId, out var profile))
        {
            return profile;
        }

        if (_profiles.Count >= _options.MaxDevices)
        {
            Interlocked.Increment(ref _unprofiled);
            return null;
        }

        profile = new DeviceProfile(deviceId, span: 60, _options.RetainedWindows);
        _profiles[deviceId] = profile;
        return profile;
    }

    private void Judge(BehaviourWindow window, DeviceProfile profile, List<Finding> found)
    {
        profile.FactsAge++;

        // 1. The cohort: the model, and the firmware the device says it runs (else the inventory's).
        var version = window.Posture?.FirmwareVersion ?? profile.FirmwareVersion ?? profile.Facts?.FirmwareVersion;
        var key = Cohort.KeyOf(profile.Facts?.Model, version);
        if (profile.Cohort?.Key != key)
        {
            if (!_cohorts.TryGetValue(key, out var cohort))
            {
                cohort = new Cohort(key, span: 1000);
                _cohorts[key] = cohort;
            }

            profile.Cohort = cohort;
        }

        // 2. Metrics that need what the device was seen with.
        if (profile.Sources.Count > 0)
        {
            window[BehaviourMetric.NewSourceAddresses] = window.Sources.Count(source => !profile.Sources.Contains(source));
        }

        // 3. Every detector (the recent level first: the drift detector reads it).
        profile.Track(window);
        var context = new DetectionContext(window, profile, _options);
        foreach (var detector in _detectors)
        {
            detector.Evaluate(context, found);
        }

        // 4. Gated learning; the reference learns only what stays near it (so a drift cannot drag it along).
        if (found.Count == 0)
        {
            profile.Own.Learn(window);
            profile.Cohort.Baseline.Learn(window);
            profile.Reference.Learn(window, within: 3);
        }

        // 5. Facts: a novelty is reported once and then known (its alert stays until a person resolves it).
        foreach (var source in window.Sources)
        {
            profile.Sources.Add(source);
        }

        if (window.Posture is { } posture)
        {
            foreach (var port in posture.ListeningPorts)
            {
                profile.Ports.Add(port);
            }

            foreach (var destination in posture.Destinations ?? [])
            {
                profile.Destinations.Add(destination);
            }

            profile.Measurement = posture.Measurement ?? profile.Measurement;
            profile.FirmwareVersion = posture.FirmwareVersion ?? profile.FirmwareVersion;
            profile.PostureWindowStart = window.Start;
            profile.Postures++;
        }

        profile.Retain(window);
        profile.Windows++;
    }
}
