using System.Security.Cryptography.X509Certificates;

namespace Rampart.Simulator;

/// <summary>What to simulate and where.</summary>
public sealed class SimulationOptions
{
    public required Uri EstServer { get; init; }

    public required string MqttHost { get; init; }

    public required int MqttPort { get; init; }

    /// <summary>The Rampart root CA the devices trust.</summary>
    public required X509Certificate2 TrustedRoot { get; init; }

    /// <summary>Devices in all, misbehaving ones included.</summary>
    public int Devices { get; init; } = 200;

    /// <summary>Device ids are <c>{Prefix}-00001</c> …</summary>
    public string Prefix { get; init; } = "sim";

    /// <summary>The model the devices are registered as (what a rollout selects and a release is built for).</summary>
    public string Model { get; init; } = "sim-sensor";

    /// <summary>The firmware every device starts on (version 1.0.0, this security version).</summary>
    public long FactorySecurityVersion { get; init; } = 1;

    /// <summary>Where each device keeps its A/B slots for firmware updates (default: a temporary directory, deleted at the end).</summary>
    public string? SlotsDirectory { get; init; }

    /// <summary>How many devices get each misbehaviour (the rest behave).</summary>
    public IReadOnlyDictionary<Misbehaviour, int> Misbehaving { get; init; } = new Dictionary<Misbehaviour, int>();

    /// <summary>Mean time between telemetry messages of one device (each interval jittered ±30 %).</summary>
    public TimeSpan TelemetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Devices enrolling and connecting at once.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>The address clones connect from (their originals use the default).</summary>
    public System.Net.IPAddress CloneAddress { get; init; } = System.Net.IPAddress.Parse("127.0.0.2");

    /// <summary>How long the new profiles (exfiltrate, reboot-loop, backdoor, beacon, drift) behave before they misbehave, so detection has seen them normal.</summary>
    public TimeSpan MisbehaveAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How much a drifting device's messages grow each telemetry interval (1.04: 4 %).</summary>
    public double DriftGrowth { get; init; } = 1.04;

    /// <summary>How often a device reports its posture (the first report comes at connect).</summary>
    public TimeSpan PostureInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Spreads misbehaviours over the first devices: a few of each, the rest well-behaved.</summary>
    public Misbehaviour ProfileOf(int index)
    {
        var start = 0;
        foreach (var (kind, count) in Misbehaving.OrderBy(pair => pair.Key))
        {
            if (index < start + count)
            {
                return kind;
            }

            start += count;
        }

        return Misbehaviour.None;
    }
}
