using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rampart.Device.Posture;

/// <summary>
/// What a device reports about itself on <c>devices/{id}/state</c>: the facts monitoring, detection and
/// attestation judge (firmware, restarts, exposed ports, connections and their destinations, tamper
/// switches, clock drift). <see cref="SocketTable.Read"/> gives the network facts on Linux.
/// </summary>
/// <param name="EstablishedConnections">TCP connections open now; null when the device does not report it.</param>
/// <param name="Destinations">Remote <c>address:port</c> of those connections; at most <see cref="SocketTable.MaxItems"/> are sent.</param>
public sealed record PostureReport(
    string FirmwareVersion,
    long BootCounter,
    TimeSpan Uptime,
    IReadOnlyList<int> ListeningPorts,
    IReadOnlyList<string> TamperFlags,
    DateTimeOffset Clock,
    string? FirmwareMeasurement = null,
    int? EstablishedConnections = null,
    IReadOnlyList<string>? Destinations = null)
{
    /// <summary>A report whose ports, connections and destinations are the device's socket table now.</summary>
    public static PostureReport FromSockets(string firmwareVersion, long bootCounter, TimeSpan uptime, SocketSnapshot sockets, IReadOnlyList<string> tamperFlags,
        DateTimeOffset clock, string? firmwareMeasurement = null) =>
        new(firmwareVersion, bootCounter, uptime, sockets.ListeningPorts, tamperFlags, clock, firmwareMeasurement, sockets.EstablishedConnections, sockets.Destinations);

    /// <summary>The answer to the node's attestation challenge this report carries, if any (<see cref="AttestationResponder"/>).</summary>
    public AttestationEvidence? Attestation { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The report as UTF-8 JSON (camelCase; uptime in seconds).</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(new
    {
        firmwareVersion = FirmwareVersion,
        bootCounter = BootCounter,
        uptimeSeconds = (long)Uptime.TotalSeconds,
        listeningPorts = ListeningPorts,
        tamperFlags = TamperFlags,
        clock = Clock,
        firmwareMeasurement = FirmwareMeasurement,
        establishedConnections = EstablishedConnections is { } established ? Math.Max(0, established) : (int?)null,
        destinations = Destinations?.Where(d => d.Length <= 256).Distinct(StringComparer.Ordinal).Take(SocketTable.MaxItems).ToArray(),
        attestation = Attestation is { } attestation ? new { nonce = attestation.Nonce, signature = attestation.Signature } : null,
    }, Json);
}
