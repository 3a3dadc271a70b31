using System.Diagnostics;
using System.Globalization;
using Rampart.Detection;
using Rampart.Detection.Profiles;

namespace Rampart.Bench.Detection;

/// <summary>
/// <c>detection-recall [--devices 10000] [--share 0.01] [--windows 60] [--load-steps 0.05] [--load-step 1.5]
/// [--drift-rise 0.6] [--drift-weight 0.1]</c>: the detection logic on a simulated clock (60-s windows):
/// recall per profile, windows from the start of a misbehaviour to its first finding, false alerts per
/// 1,000 device-hours on well-behaved devices (an alert = a first finding of a device and detector:
/// later ones join it) — among them a share whose load steps up for good (an ordinary change, not an
/// attack) —, and the time to judge one window of the fleet. The drift settings are the node's.
/// <c>detection-memory [--devices 50000] [--windows 40]</c>: memory per device for every baseline and
/// set, measured from the managed heap and as the profiles count it.
/// </summary>
internal static class DetectionBench
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    public static async Task RecallAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var count = arguments.Int("devices", 10_000);
        var windows = arguments.Int("windows", 60);
        var share = double.Parse(arguments.String("share") ?? "0.01", CultureInfo.InvariantCulture);
        var loadSteps = double.Parse(arguments.String("load-steps") ?? "0", CultureInfo.InvariantCulture);
        var loadStep = double.Parse(arguments.String("load-step") ?? "1.5", CultureInfo.InvariantCulture);
        var options = new DetectionOptions();
        options.DriftMinimumRise = double.Parse(arguments.String("drift-rise") ?? options.DriftMinimumRise.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        options.DriftLevelWeight = double.Parse(arguments.String("drift-weight") ?? options.DriftLevelWeight.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var fleet = new SyntheticFleet(count, share, seed: 14, earliestStart: 10, latestStart: Math.Max(10, windows / 3), loadSteps, loadStep);
        var engine = new DetectionEngine(options, new RuleSet(RuleSet.BuiltIn, 1));
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var firstFinding = new Dictionary<string, int>(StringComparer.Ordinal);
        var falseAlerts = new HashSet<(string, string)>();
        var byDevice = fleet.Devices.ToDictionary(d => d.Id, StringComparer.Ordinal);
        var judging = new List<double>();
        for (var i = 0; i < windows; i++)
        {
            var batch = fleet.Windows(i, start + (Window * i), Window);
            var timer = Stopwatch.StartNew();
            var findings = await engine.EvaluateAsync(batch, CancellationToken.None);
            judging.Add(timer.Elapsed.TotalMilliseconds);
            foreach (var finding in findings)
            {
                var device = byDevice[finding.DeviceId];
                if (device.Profile is null || i < device.StartWindow)
                {
                    falseAlerts.Add((finding.DeviceId, finding.Detector));
                }
                else
                {
                    firstFinding.TryAdd(finding.DeviceId, i - device.StartWindow);
                }
            }
        }

        var wellBehavedHours = fleet.Devices.Sum(d => Math.Min(windows, d.StartWindow)) / 60.0;
        var stepping = fleet.Devices.Where(d => d.StepWindow < windows).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"detection-recall: {count} devices, {share:P1} misbehaving, {stepping.Count} well-behaved with a load step x{loadStep}, {windows} windows of {Window.TotalSeconds:0} s simulated ({windows / 60.0:0.#} h); drift rise {options.DriftMinimumRise}, level weight {options.DriftLevelWeight}"));
        foreach (var profile in SyntheticFleet.Profiles)
        {
            var devices = fleet.Devices.Where(d => d.Profile == profile && d.StartWindow < windows).ToArray();
            var caught = devices.Where(d => firstFinding.ContainsKey(d.Id)).Select(d => firstFinding[d.Id]).Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {profile,-12} recall {caught.Length}/{devices.Length} ({(devices.Length == 0 ? 0 : 100.0 * caught.Length / devices.Length):0.#} %), windows to alert: median {(caught.Length == 0 ? "-" : (caught[caught.Length / 2] + 1).ToString(CultureInfo.InvariantCulture))}, max {(caught.Length == 0 ? "-" : (caught[^1] + 1).ToString(CultureInfo.InvariantCulture))}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  false alerts: {falseAlerts.Count} over {wellBehavedHours:0} well-behaved device-hours = {1000 * falseAlerts.Count / wellBehavedHours:0.###} per 1,000 device-hours"));
        Console.WriteLine($"    of which on devices whose load stepped up: {falseAlerts.Count(a => stepping.Contains(a.Item1))}");
        foreach (var group in falseAlerts.GroupBy(a => a.Item2).OrderByDescending(g => g.Count()).Take(5))
        {
            Console.WriteLine($"    {group.Key}: {group.Count()}");
        }

        var sorted = judging.Skip(1).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  judging one window of the fleet: median {sorted[sorted.Length / 2]:0.#} ms, max {sorted[^1]:0.#} ms ({1000 * sorted[sorted.Length / 2] / count:0.###} µs per device)"));
    }

    public static async Task MemoryAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var count = arguments.Int("devices", 50_000);
        var windows = arguments.Int("windows", 40);
        var fleet = new SyntheticFleet(count, 0, seed: 3, earliestStart: int.MaxValue - 1, latestStart: int.MaxValue - 1);
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        // Windows are built before the baseline heap figure, so only the engine's state is counted.
        var batches = Enumerable.Range(0, 2).Select(i => fleet.Windows(i, start + (Window * i), Window)).ToArray();
        var before = HeapBytes();
        var engine = new DetectionEngine(new DetectionOptions(), new RuleSet(RuleSet.BuiltIn, 1));
        for (var i = 0; i < windows; i++)
        {
            await engine.EvaluateAsync(batches[i % 2], CancellationToken.None);
        }

        GC.KeepAlive(batches);
        var after = HeapBytes();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"detection-memory: {count} devices, {windows} windows: managed heap +{(after - before) / (1024.0 * 1024):0.0} MiB = {(after - before) / (double)count:0} bytes per device " +
            $"(profiles count {engine.ApproximateBytes() / (double)count:0} bytes per device: baselines, sets, rule streaks, {new DetectionOptions().RetainedWindows} retained windows)"));
        GC.KeepAlive(engine);
    }

    private static long HeapBytes()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
