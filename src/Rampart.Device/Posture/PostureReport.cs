using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rampart.Device.Posture;

/// <summary>
/// What a device reports about itself on <c>devices/{id}/state</c>: the facts monitoring and
/// attestation judge (firmware, restarts, exposed ports, tamper switches, clock drift).
/// </summary>
public sealed record PostureReport(
    string FirmwareVersion,
    long BootCounter,
    TimeSpan Uptime,
    IReadOnlyList<int> ListeningPorts,
    IReadOnlyList<string> TamperFlags,
    DateTimeOffset Clock,
    string? FirmwareMeasurement = null)
{
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
    }, Json);
}
