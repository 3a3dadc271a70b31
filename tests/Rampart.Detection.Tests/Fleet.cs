using Rampart.Detection.Metrics;
using Rampart.Detection.Profiles;
using Rampart.Testing;
using Rampart.Fleet.Gateway;

namespace Rampart.Detection.Tests;

/// <summary>
/// Simulated behaviour for detector tests, on a manual clock: well-behaved devices publish telemetry
/// with jitter and an occasional burst (what the simulator's well-behaved devices do), windows are
/// built as the collector builds them, and the engine judges them as the node does.
/// </summary>
internal sealed class Fleet
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    private readonly Random _random;

    public Fleet(int seed = 7, DetectionOptions? options = null, IReadOnlyList<StaticRule>? rules = null, Rampart.Fleet.Inventory.IDeviceStore? devices = null, DetectionMeter? meter = null)
    {
        _random = new Random(seed);
        Options = options ?? new DetectionOptions();
        Engine = new DetectionEngine(Options, new RuleSet(rules ?? RuleSet.BuiltIn, 1), devices, meter);
        Clock = new ManualTimeProvider();
    }

    public DetectionOptions Options { get; }

    public DetectionEngine Engine { get; }

    public ManualTimeProvider Clock { get; }

    /// <summary>A well-behaved device's window: ~12 messages of ~60 bytes a minute, a burst now and then, one session, one address.</summary>
    public BehaviourWindow Normal(string device, string source = "10.0.0.5", PostureFacts? posture = null)
    {
        var start = Clock.GetUtcNow();
        var messages = 10 + _random.Next(0, 6) + (_random.Next(0, 10) == 0 ? 5 : 0);
        var window = new BehaviourWindow(device, start, start + Window)
        {
            Sources = [source],
            Posture = posture,
            Active = true,
            [BehaviourMetric.MessagesIn] = messages,
            [BehaviourMetric.BytesIn] = messages * (55 + _random.Next(0, 10)),
            [BehaviourMetric.MessagesOut] = _random.Next(0, 2),
            [BehaviourMetric.BytesOut] = _random.Next(0, 2) * 40,
            [BehaviourMetric.MaxMessageBytes] = 60 + _random.Next(0, 8),
            [BehaviourMetric.P95MessageBytes] = 64,
            [BehaviourMetric.SessionSeconds] = 60,
            [BehaviourMetric.DistinctTopics] = 1,
        };
        return window;
    }

    /// <summary>Judges one window per device and moves the clock on by a window.</summary>
    public async Task<IReadOnlyList<Rampart.Detection.Detectors.Finding>> JudgeAsync(params BehaviourWindow[] windows)
    {
        var findings = await Engine.EvaluateAsync(windows, CancellationToken.None);
        Clock.Advance(Window);
        return findings;
    }

    /// <summary><paramref name="count"/> windows of normal behaviour for each device; returns every finding.</summary>
    public async Task<List<Rampart.Detection.Detectors.Finding>> NormalAsync(int count, params string[] devices)
    {
        var all = new List<Rampart.Detection.Detectors.Finding>();
        for (var i = 0; i < count; i++)
        {
            all.AddRange(await JudgeAsync(devices.Select(d => Normal(d)).ToArray()));
        }

        return all;
    }

    public static PostureFacts Posture(long boot = 3, string version = "2.1.0", string measurement = "sha256:aaaa", int[]? ports = null, string[]? destinations = null, string[]? tamper = null, long uptime = 3600) =>
        new(version, measurement, boot, uptime, ports ?? [], null, destinations, tamper ?? []);

    public static string[] Devices(int count, string prefix = "d") => Enumerable.Range(1, count).Select(i => $"{prefix}{i:D3}").ToArray();

    public float Mean(string device, BehaviourMetric metric) => Engine.Read(device, p => p.Own.Mean(metric));

    public int Samples(string device) => Engine.Read(device, p => p.Own.Samples);
}
