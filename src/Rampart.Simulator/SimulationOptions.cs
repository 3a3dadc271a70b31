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

    /// <summary>How many devices get each misbehaviour (the rest behave).</summary>
    public IReadOnlyDictionary<Misbehaviour, int> Misbehaving { get; init; } = new Dictionary<Misbehaviour, int>();

    /// <summary>Mean time between telemetry messages of one device (each interval jittered ±30 %).</summary>
    public TimeSpan TelemetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Devices enrolling and connecting at once.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>The address clones connect from (their originals use the default).</summary>
    public System.Net.IPAddress CloneAddress { get; init; } = System.Net.IPAddress.Parse("127.0.0.2");

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
