namespace Rampart.Detection.Baselines;

/// <summary>
/// Everything detection keeps about one device between windows: its own baseline, what it was seen
/// with (addresses, ports, destinations), the facts sequences compare (firmware measurement, recent
/// restarts), rule streaks and its inventory facts. Bounded: see <see cref="ApproximateBytes"/>.
/// </summary>
public sealed class DeviceProfile
{
    public DeviceProfile(string deviceId, int span, int retainedWindows)
    {
        DeviceId = deviceId;
        Own = new(span);
        History = new float[retainedWindows * Metrics.BehaviourMetrics.Count];
        Recency = new(this);
    }

    /// <summary>Windows of restart counts kept for the reboot-loop detector.</summary>
    public const int RebootHistory = 10;

    public string DeviceId { get; }

    public MetricBaseline Own { get; }

    /// <summary>
    /// The device's long reference (a day of windows), which learns a metric only while it stays near it:
    /// what the drift detector compares the recent level with.
    /// </summary>
    public MetricBaseline Reference { get; } = new(1440);

    /// <summary>Whether <see cref="Own"/> or <see cref="Reference"/> learned since they were last saved.</summary>
    public bool BaselinesChanged { get; set; }

    /// <summary>The recent level of each metric: an EWMA of every window (weight <see cref="DetectionOptions.DriftLevelWeight"/>).</summary>
    public float[] Level { get; } = new float[Metrics.BehaviourMetrics.Count];

    /// <summary>Moves <see cref="Level"/> towards this window by <paramref name="weight"/> (the first window sets it).</summary>
    public void Track(Metrics.BehaviourWindow window, float weight)
    {
        var values = window.Values;
        for (var m = 0; m < Level.Length; m++)
        {
            Level[m] = Windows == 0 ? values[m] : Level[m] + (weight * (values[m] - Level[m]));
        }
    }

    public KnownSet Sources { get; } = new(16);

    public KnownSet Ports { get; } = new(32);

    public KnownSet Destinations { get; } = new(32);

    /// <summary>The device's cohort (model and firmware); set when its facts are known.</summary>
    public Cohort? Cohort { get; set; }

    /// <summary>Model, zone and tags from the inventory; refreshed every few windows.</summary>
    public DeviceFacts? Facts { get; set; }

    /// <summary>Windows since the facts were read.</summary>
    public int FactsAge { get; set; }

    /// <summary>Posture reports seen.</summary>
    public int Postures { get; set; }

    /// <summary>Windows seen.</summary>
    public int Windows { get; set; }

    /// <summary>The firmware version and measurement last reported.</summary>
    public string? FirmwareVersion { get; set; }

    public string? Measurement { get; set; }

    /// <summary>The firmware version the inventory recorded when <see cref="Measurement"/> was learned (what an update is judged by).</summary>
    public string? MeasuredVersion { get; set; }

    /// <summary>This profile's place in the engine's recency list (least recently judged first, evicted first).</summary>
    internal LinkedListNode<DeviceProfile> Recency { get; }

    /// <summary>The start of the window the last posture report came in (what "a fresh report" is judged by).</summary>
    public DateTimeOffset? PostureWindowStart { get; set; }

    /// <summary>Restarts per recent window (ring).</summary>
    public byte[] Reboots { get; } = new byte[RebootHistory];

    /// <summary>Consecutive windows each static rule held (by rule index; grown with the rule set).</summary>
    public byte[] Streaks { get; set; } = [];

    /// <summary>The rule set <see cref="Streaks"/> belong to (shared by every profile, not copied).</summary>
    public Profiles.RuleSet? StreaksRules { get; set; }

    /// <summary>The last windows' values, newest at <see cref="Windows"/> − 1 (ring of <c>retainedWindows</c>; float, in metric order).</summary>
    public float[] History { get; }

    /// <summary>The end of the last window seen.</summary>
    public DateTimeOffset LastWindowEnd { get; set; }

    /// <summary>Records a window's values in <see cref="History"/> (before <see cref="Windows"/> counts it).</summary>
    public void Retain(Metrics.BehaviourWindow window)
    {
        var slots = History.Length / Metrics.BehaviourMetrics.Count;
        window.Values.CopyTo(History.AsSpan((Windows % slots) * Metrics.BehaviourMetrics.Count, Metrics.BehaviourMetrics.Count));
        LastWindowEnd = window.End;
    }

    /// <summary>The retained windows' values, oldest first.</summary>
    public IReadOnlyList<float[]> Recent()
    {
        var slots = History.Length / Metrics.BehaviourMetrics.Count;
        var count = Math.Min(Windows, slots);
        var recent = new List<float[]>(count);
        for (var i = Windows - count; i < Windows; i++)
        {
            recent.Add(History.AsSpan((i % slots) * Metrics.BehaviourMetrics.Count, Metrics.BehaviourMetrics.Count).ToArray());
        }

        return recent;
    }

    /// <summary>Bytes held for this device, every baseline and set included (issue 14: target ≤ 2 KiB).</summary>
    public int ApproximateBytes =>
        96 + (2 * MetricBaseline.ApproximateBytes) + ((Level.Length * sizeof(float)) + 24) + Sources.ApproximateBytes + Ports.ApproximateBytes + Destinations.ApproximateBytes
        + (RebootHistory + 24) + (Streaks.Length + 24) + ((History.Length * sizeof(float)) + 24) + ((Measurement?.Length ?? 0) * 2) + 24 + 48; // 48: the recency list node

    /// <summary>Records this window's restarts in the ring and returns the total over the ring.</summary>
    public int RecordReboots(int count)
    {
        Reboots[Windows % RebootHistory] = (byte)Math.Min(count, byte.MaxValue);
        var total = 0;
        foreach (var reboots in Reboots)
        {
            total += reboots;
        }

        return total;
    }
}

/// <summary>What the inventory says about a device, as detectors scope by it.</summary>
public sealed record DeviceFacts(string? Model, string? FirmwareVersion, string? Zone, IReadOnlyList<string> Tags, bool Known = true)
{
    /// <summary>The inventory has no device of this id.</summary>
    public static DeviceFacts NotInInventory { get; } = new(null, null, null, [], Known: false);
}
