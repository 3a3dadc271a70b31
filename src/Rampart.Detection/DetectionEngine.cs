using System.Diagnostics;
using Rampart.Detection.Baselines;
using Rampart.Detection.Detectors;
using Rampart.Detection.Metrics;
using Rampart.Detection.Profiles;
using Rampart.Fleet.Inventory;

namespace Rampart.Detection;

/// <summary>
/// Judges closed windows: 1. finds or creates the device's profile (least recently judged evicted past
/// the limit) and its cohort (model and firmware version from the inventory), 2. fills the metrics that need the profile (new source addresses),
/// 3. runs every detector, 4. learns the window into the own and cohort baselines only if nothing was
/// found (gated: an attack is never learned as normal), 5. learns novel facts that raised nothing
/// (addresses, ports but never risky ones, destinations; the measurement) and keeps the window as history. Single writer: the host calls it from
/// one loop; readers (the API) take the same lock.
/// </summary>
public sealed class DetectionEngine
{
    /// <summary>Windows after which a profile's inventory facts are read again.</summary>
    public const int FactsRefreshWindows = 10;

    /// <summary>Most cohorts kept (model × firmware version pairs the inventory records).</summary>
    public const int MaxCohorts = 10_000;

    /// <summary>Longest reported measurement or version kept in a profile.</summary>
    public const int MaxFactLength = 128;

    private readonly DetectionOptions _options;
    private readonly IReadOnlyList<IDetector> _detectors;
    private readonly IDeviceStore? _devices;
    private readonly DetectionMeter? _meter;
    private readonly Dictionary<string, DeviceProfile> _profiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Cohort> _cohorts = new(StringComparer.Ordinal);
    private readonly LinkedList<DeviceProfile> _recency = new();
    private readonly Lock _lock = new();
    private RuleSet _rules;
    private long _evicted;
    private long _withoutCohort;
    private long _unknown;

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

    /// <summary>Profiles evicted (least recently judged first) to make room past <see cref="DetectionOptions.MaxDevices"/>.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>Windows judged without a cohort because <see cref="MaxCohorts"/> cohorts exist.</summary>
    public long WithoutCohort => Interlocked.Read(ref _withoutCohort);

    /// <summary>Windows of ids the inventory does not know, dropped unjudged (only with an inventory).</summary>
    public long Unknown => Interlocked.Read(ref _unknown);

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
                profile.Facts = device is null ? DeviceFacts.NotInInventory : new DeviceFacts(device.Model, device.FirmwareVersion, device.Zone, device.Tags);
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

                // An id the inventory does not know is not a device: not judged, not learned into any cohort
                // (the lookup is cached in the profile and read again every few windows).
                if (profile.Facts is { Known: false })
                {
                    profile.FactsAge++;
                    _unknown++;
                    continue;
                }

                found.Clear();
                Judge(windows[i], profile, found);
                findings.AddRange(found);
            }

            _meter?.Devices(_profiles.Count);
            _meter?.Engine(_evicted, _unknown, _withoutCohort);
        }

        _meter?.Findings.Add(findings.Count);
        _meter?.Evaluation.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return findings;
    }

    /// <summary>
    /// Puts windows stored before a restart back (oldest first): the device's retained history and its
    /// recent level, as if seen. Nothing is judged and no baseline learns from them: they were judged
    /// when they closed, and what they taught the baselines then is not stored.
    /// </summary>
    public void Restore(IReadOnlyList<StoredWindow> windows)
    {
        lock (_lock)
        {
            foreach (var stored in windows.OrderBy(w => w.End))
            {
                if (ProfileFor(stored.DeviceId) is { } profile && stored.End > profile.LastWindowEnd)
                {
                    var window = stored.ToWindow();
                    profile.Track(window, (float)_options.DriftLevelWeight);
                    profile.Retain(window);
                    profile.Windows++;
                }
            }
        }
    }

    /// <summary>
    /// The baselines that learned since the last call, packed (<see cref="BaselineSnapshot"/>) to be saved.
    /// </summary>
    public IReadOnlyList<StoredBaseline> ChangedBaselines(DateTimeOffset now)
    {
        lock (_lock)
        {
            var changed = new List<StoredBaseline>();
            foreach (var profile in _profiles.Values)
            {
                if (profile.BaselinesChanged)
                {
                    changed.Add(new StoredBaseline(profile.DeviceId, now, BaselineSnapshot.Of(profile)));
                    profile.BaselinesChanged = false;
                }
            }

            return changed;
        }
    }

    /// <summary>
    /// Puts baselines saved before a restart back (docs/detection.md, "Baselines after a restart"): the
    /// device is judged by its own baseline, and drift against its reference, from its first window
    /// after the restart. Returns how many were restored; a row this build cannot read is skipped.
    /// </summary>
    public int RestoreBaselines(IReadOnlyList<StoredBaseline> baselines)
    {
        lock (_lock)
        {
            var restored = 0;
            foreach (var stored in baselines)
            {
                if (ProfileFor(stored.DeviceId) is { } profile && BaselineSnapshot.Restore(profile, stored.State))
                {
                    restored++;
                }
            }

            return restored;
        }
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
            // Most recently judged last: the least recently judged profile is the first evicted.
            _recency.Remove(profile.Recency);
            _recency.AddLast(profile.Recency);
            return profile;
        }

        if (_profiles.Count >= _options.MaxDevices)
        {
            // Full: the profile judged longest ago makes room (a live device is never starved by departed ones).
            var oldest = _recency.First!.Value;
            _recency.RemoveFirst();
            _profiles.Remove(oldest.DeviceId);
            _evicted++;
        }

        profile = new DeviceProfile(deviceId, span: 60, _options.RetainedWindows);
        _profiles[deviceId] = profile;
        _recency.AddLast(profile.Recency);
        return profile;
    }

    private Cohort? CohortFor(string key)
    {
        if (_cohorts.TryGetValue(key, out var cohort))
        {
            return cohort;
        }

        if (_cohorts.Count >= MaxCohorts)
        {
            // Bounded: past the limit a device is judged by its own baseline only (counted, exported).
            _withoutCohort++;
            return null;
        }

        cohort = new Cohort(key, span: 1000);
        _cohorts[key] = cohort;
        return cohort;
    }

    private void Judge(BehaviourWindow window, DeviceProfile profile, List<Finding> found)
    {
        profile.FactsAge++;

        // 1. The cohort: the model and the firmware version the inventory records for the device — never
        // the version it reports, which a compromised device chooses (docs/detection.md, "Poisoning defences").
        var key = Cohort.KeyOf(profile.Facts?.Model, profile.Facts?.FirmwareVersion);
        if (profile.Cohort?.Key != key)
        {
            profile.Cohort = CohortFor(key);
        }

        // 2. Metrics that need what the device was seen with.
        if (profile.Sources.Count > 0)
        {
            window[BehaviourMetric.NewSourceAddresses] = window.Sources.Count(source => !profile.Sources.Contains(source));
        }

        // 3. Every detector (the recent level first: the drift detector reads it).
        profile.Track(window, (float)_options.DriftLevelWeight);
        var context = new DetectionContext(window, profile, _options);
        foreach (var detector in _detectors)
        {
            detector.Evaluate(context, found);
        }

        // 4. Gated learning; the reference learns only what stays near it (so a drift cannot drag it along).
        if (found.Count == 0)
        {
            profile.Own.Learn(window);
            profile.Cohort?.Learn(profile.DeviceId, window);
            profile.Reference.Learn(window, within: 3);
            profile.BaselinesChanged = true;
        }

        // 5. Facts: a fact that raised a finding is never learned (else a novelty reported once would be
        // normal for ever: the port reopened after a release would raise nothing), and a risky port never is.
        LearnFacts(window, profile, found);
        profile.Retain(window);
        profile.Windows++;
    }

    private static void LearnFacts(BehaviourWindow window, DeviceProfile profile, List<Finding> found)
    {
        bool Raised(string detector) => found.Exists(f => f.Detector == detector);

        if (!Raised(NewSourceDetector.DetectorName))
        {
            foreach (var source in window.Sources)
            {
                profile.Sources.Add(source);
            }
        }

        if (window.Posture is not { } posture)
        {
            return;
        }

        // On the first report only risky ports can raise the finding, and those are never learned: the rest are the device's normal.
        if (profile.Postures == 0 || !Raised(NewListeningPortDetector.DetectorName))
        {
            foreach (var port in posture.ListeningPorts.Where(port => !NewListeningPortDetector.Risky.Contains(port)))
            {
                profile.Ports.Add(port);
            }
        }

        if (!Raised(NewDestinationDetector.DetectorName))
        {
            foreach (var destination in posture.Destinations ?? [])
            {
                profile.Destinations.Add(destination);
            }
        }

        // The measurement is the last reported one (what a quarantine release checks), kept with the version the
        // inventory recorded when it was seen (what an update is judged by). A changed measurement is reported
        // once per change: a re-flash to the same version is confirmed by the release check, not alerted for ever.
        if (posture.Measurement is { } measurement)
        {
            profile.Measurement = measurement.Length > MaxFactLength ? measurement[..MaxFactLength] : measurement;
            profile.MeasuredVersion = profile.Facts?.FirmwareVersion;
        }

        profile.FirmwareVersion = posture.FirmwareVersion is { } version ? (version.Length > MaxFactLength ? version[..MaxFactLength] : version) : profile.FirmwareVersion;
        profile.PostureWindowStart = window.Start;
        profile.Postures++;
    }
}
