using System.Text.Json;

namespace Rampart.Simulator;

/// <summary>
/// The posture a simulated device reports: the device SDK's fields plus what a richer agent reports
/// (established connections, destinations), which the SDK's report does not carry yet.
/// </summary>
internal sealed record SimulatedPosture(
    string FirmwareVersion, long BootCounter, TimeSpan Uptime, IReadOnlyList<int> ListeningPorts, IReadOnlyList<string> TamperFlags,
    string FirmwareMeasurement, IReadOnlyList<string> Destinations)
{
    /// <summary>Where every well-behaved simulated device connects: its time and update servers.</summary>
    public static IReadOnlyList<string> UsualDestinations { get; } = ["203.0.113.10:443", "203.0.113.11:123"];

    /// <summary>The beacon's command-and-control server.</summary>
    public const string BeaconDestination = "198.51.100.66:4444";

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(new
    {
        firmwareVersion = FirmwareVersion,
        bootCounter = BootCounter,
        uptimeSeconds = (long)Uptime.TotalSeconds,
        listeningPorts = ListeningPorts,
        tamperFlags = TamperFlags,
        clock = DateTimeOffset.UtcNow,
        firmwareMeasurement = FirmwareMeasurement,
        establishedConnections = Destinations.Count + 1,
        destinations = Destinations,
    });
}
