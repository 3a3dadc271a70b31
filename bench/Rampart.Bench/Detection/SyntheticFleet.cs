using Rampart.Detection.Metrics;
using Rampart.Fleet.Gateway;

namespace Rampart.Bench.Detection;

/// <summary>
/// Behaviour windows of a simulated fleet on a simulated clock, as the collector builds them: each
/// well-behaved device has its own base rate (6 to 20 messages a minute of 40 to 90 bytes), jitter, a
/// burst now and then, a reconnect now and then, a rare restart, and a posture every window. A
/// misbehaving device behaves until its start window, then shows its profile. An ordinary change of
/// load: a share of the well-behaved devices multiply their rate by a step factor at a random window
/// and keep it (a firmware that reports more often, a busier site) — behaviour no detector may alert on.
/// </summary>
internal sealed class SyntheticFleet
{
    public static readonly string[] Profiles = ["exfiltrate", "reboot-loop", "backdoor", "beacon", "drift", "flood", "scanner", "clone", "tamper"];

    private readonly Random _random;
    private readonly Device[] _devices;

    public SyntheticFleet(int devices, double misbehavingShare, int seed, int earliestStart, int latestStart, double loadStepShare = 0, double loadStep = 1)
    {
        _random = new Random(seed);
        var misbehaving = (int)Math.Round(devices * misbehavingShare);
        var stepping = misbehaving + (int)Math.Round((devices - misbehaving) * loadStepShare);
        _devices = Enumerable.Range(0, devices).Select(i => new Device(
            $"bench-{i:D6}",
            i < misbehaving ? Profiles[i % Profiles.Length] : null,
            i < misbehaving ? _random.Next(earliestStart, latestStart + 1) : int.MaxValue,
            6 + (_random.NextDouble() * 14),
            40 + _random.Next(0, 50),
            $"10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}")
        {
            StepWindow = i >= misbehaving && i < stepping ? _random.Next(earliestStart, latestStart + 1) : int.MaxValue,
            Step = loadStep,
        }).ToArray();
    }

    public IReadOnlyList<Device> Devices => _devices;

    public sealed record Device(string Id, string? Profile, int StartWindow, double MessagesPerMinute, int MessageBytes, string Address)
    {
        public long Boot { get; set; } = 3;

        public double Drift { get; set; } = 1;

        /// <summary>The window from which a well-behaved device's rate is <see cref="Step"/> times its base rate (an ordinary change of load).</summary>
        public int StepWindow { get; init; } = int.MaxValue;

        public double Step { get; init; } = 1;
    }

    public BehaviourWindow[] Windows(int index, DateTimeOffset start, TimeSpan length) =>
        _devices.Select(device => Window(device, index, start, length)).ToArray();

    private BehaviourWindow Window(Device device, int index, DateTimeOffset start, TimeSpan length)
    {
        var bad = index >= device.StartWindow ? device.Profile : null;
        var rate = index >= device.StepWindow ? device.MessagesPerMinute * device.Step : device.MessagesPerMinute;
        var messages = Math.Max(0, (int)Math.Round(rate * (0.8 + (_random.NextDouble() * 0.4)))) + (_random.Next(0, 10) == 0 ? 5 : 0);
        var bytes = messages * (device.MessageBytes + _random.Next(-5, 6));
        var reconnects = _random.Next(0, 200) == 0 ? 1 : 0;
        // A boot loop restarts about every 20 s: three times a window.
        var restarts = bad == "reboot-loop" ? 3 : _random.Next(0, 3000) == 0 ? 1 : 0;
        var restarted = restarts > 0;
        device.Boot += restarts;

        if (bad == "drift")
        {
            device.Drift *= 1.04;
        }

        int[] ports = bad == "backdoor" ? [443, 23] : [443];
        string[] destinations = bad == "beacon" ? ["203.0.113.10:443", "203.0.113.11:123", "198.51.100.66:4444"] : ["203.0.113.10:443", "203.0.113.11:123"];
        var posture = new PostureFacts("2.1.0", bad == "tamper" ? "sha256:ffff" : "sha256:aaaa", device.Boot, restarted ? 20 : 3600 * (index + 1), ports, destinations.Length + 1,
            destinations, bad == "tamper" ? ["case-open"] : []);
        var window = new BehaviourWindow(device.Id, start, start + length)
        {
            Sources = bad == "clone" ? [device.Address, "192.0.2.250"] : [device.Address],
            Posture = posture,
            Active = true,
            Events = bad == "clone" ? new Dictionary<string, int> { ["gateway.possible-cloned-identity"] = 1 } : new Dictionary<string, int>(),
            [BehaviourMetric.MessagesIn] = messages,
            [BehaviourMetric.BytesIn] = (float)(bad == "exfiltrate" ? bytes * 30 : bytes * device.Drift),
            [BehaviourMetric.MessagesOut] = _random.Next(0, 2),
            [BehaviourMetric.BytesOut] = _random.Next(0, 2) * 60,
            [BehaviourMetric.MaxMessageBytes] = device.MessageBytes + 5,
            [BehaviourMetric.P95MessageBytes] = 128,
            [BehaviourMetric.ConnectionAttempts] = reconnects,
            [BehaviourMetric.Disconnects] = reconnects,
            [BehaviourMetric.SessionSeconds] = 60,
            [BehaviourMetric.DistinctTopics] = 1,
            [BehaviourMetric.ListeningPorts] = ports.Length,
            [BehaviourMetric.EstablishedConnections] = destinations.Length + 1,
            [BehaviourMetric.Destinations] = destinations.Length,
            [BehaviourMetric.Reboots] = index > 0 ? restarts : 0,
            [BehaviourMetric.LimitHits] = bad == "flood" ? 300 : 0,
            [BehaviourMetric.AuthorizationFailures] = bad == "scanner" ? 20 : 0,
        };
        return window;
    }
}
