using System.Text.Json;

namespace Rampart.Fleet.Gateway;

/// <summary>
/// The facts of a posture report on <c>devices/{id}/state</c> — one parser for the posture monitor and
/// detection (issue 14) — (the device SDK's
/// PostureReport, plus the optional <c>establishedConnections</c> and <c>destinations</c> a richer
/// agent reports). Bounded: at most <see cref="MaxItems"/> ports, destinations and flags are read.
/// </summary>
public sealed record PostureFacts(
    string? FirmwareVersion,
    string? Measurement,
    long? BootCounter,
    long? UptimeSeconds,
    IReadOnlyList<int> ListeningPorts,
    int? EstablishedConnections,
    IReadOnlyList<string>? Destinations,
    IReadOnlyList<string> TamperFlags)
{
    /// <summary>Most list items read from one report.</summary>
    public const int MaxItems = 64;

    /// <summary>Parses a report; throws <see cref="JsonException"/> with the reason when it is not one.</summary>
    public static PostureFacts Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("a posture report is a JSON object");
        }

        return new PostureFacts(
            Text(root, "firmwareVersion"),
            Text(root, "firmwareMeasurement"),
            Number(root, "bootCounter"),
            Number(root, "uptimeSeconds"),
            Items(root, "listeningPorts", JsonValueKind.Number).Where(p => p.TryGetInt32(out var port) && port is > 0 and < 65536).Select(p => p.GetInt32()).Distinct().ToArray(),
            Number(root, "establishedConnections") is { } established ? (int)Math.Clamp(established, 0, int.MaxValue) : null,
            root.TryGetProperty("destinations", out _) ? Items(root, "destinations", JsonValueKind.String).Select(d => d.GetString()!).Where(d => d.Length <= 256).Distinct(StringComparer.Ordinal).ToArray() : null,
            Items(root, "tamperFlags", JsonValueKind.String).Select(f => f.GetString()!).Where(f => f.Length <= 64).ToArray());
    }

    private static IEnumerable<JsonElement> Items(JsonElement root, string name, JsonValueKind kind) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(item => item.ValueKind == kind).Take(MaxItems).ToArray()
            : [];

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;
}
