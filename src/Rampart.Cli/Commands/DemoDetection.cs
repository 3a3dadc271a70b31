using System.Globalization;
using Rampart.Fleet.Monitoring;
using Rampart.Simulator;
using Spectre.Console;

namespace Rampart.Cli.Commands;

/// <summary>
/// What <c>rampart demo</c> shows of detection and response (issue 14, item 7): the node's settings
/// for a short demo, and per profile the devices alerted and contained and the median time from the
/// start of the misbehaviour to the alert and to the containment, plus alerts on well-behaved devices.
/// </summary>
internal static class DemoDetection
{
    /// <summary>Windows short enough to watch, and a guard rail sized to the misbehaving devices the demo plants (a real node keeps the small default).</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Settings(int misbehaving) =>
    [
        new("Rampart:Detection:Window", "00:00:05"),
        new("Rampart:Detection:Response:MaxAutomaticContainments", Math.Max(5, misbehaving + 5).ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>An alert change or an automatic response.</summary>
    public static bool IsDetection(SecurityEvent e) => e.Kind.StartsWith("alert.", StringComparison.Ordinal) || e.Kind.StartsWith("response.", StringComparison.Ordinal);

    public static void AddRows(Table table, FleetSimulation simulation, IReadOnlyList<SecurityEvent> events, Func<Misbehaviour, string> name)
    {
        var firstAlert = First(events.Where(e => e.Kind == "alert.opened"));
        var contained = First(events.Where(e => e.Kind is "response.quarantine" or "response.disconnect" or "response.revoke"
            && e.Details.TryGetValue("response", out var response) && !response.StartsWith("not ", StringComparison.Ordinal) && !response.Contains("failed", StringComparison.Ordinal)));
        foreach (var group in simulation.Devices.Where(d => d.Profile is not (Misbehaviour.None or Misbehaviour.BadUpdate)).GroupBy(d => d.Profile).OrderBy(g => g.Key))
        {
            var devices = group.ToList();
            if (group.Key == Misbehaviour.DefaultCreds)
            {
                table.AddRow($"{name(group.Key)} alerted, contained", "no identity: refused before MQTT");
                continue;
            }

            // Only what came once the device misbehaved counts (an alert before would be a false one).
            var toAlert = devices.Select(d => Since(d, firstAlert)).OfType<TimeSpan>().ToList();
            var toContainment = devices.Select(d => Since(d, contained)).OfType<TimeSpan>().ToList();
            table.AddRow($"{name(group.Key)} alerted, contained", $"{toAlert.Count} of {devices.Count}, {toContainment.Count} of {devices.Count}");
            table.AddRow($"{name(group.Key)} to alert, to contain", $"{Median(toAlert)}, {Median(toContainment)} (median)");
        }

        var calm = simulation.Devices.Where(d => d.Profile == Misbehaviour.None).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        table.AddRow("alerts on well-behaved devices", events.Count(e => e.Kind == "alert.opened" && e.DeviceId is { } id && calm.Contains(id)).ToString(CultureInfo.InvariantCulture));
    }

    private static Dictionary<string, DateTimeOffset[]> First(IEnumerable<SecurityEvent> events) =>
        events.Where(e => e.DeviceId is not null).GroupBy(e => e.DeviceId!).ToDictionary(g => g.Key, g => g.Select(e => e.Time).Order().ToArray(), StringComparer.Ordinal);

    // The first time at or after the device began to misbehave (a second's leeway: two clocks of one machine).
    private static TimeSpan? Since(SimulatedDevice device, Dictionary<string, DateTimeOffset[]> times) =>
        device.MisbehavingSince is { } since && times.TryGetValue(device.Id, out var all) && all.FirstOrDefault(t => t >= since.AddSeconds(-1)) is var first && first != default
            ? first - since
            : null;

    private static string Median(List<TimeSpan> spans)
    {
        var sorted = spans.Select(s => Math.Max(0, s.TotalSeconds)).Order().ToArray();
        return sorted.Length == 0 ? "-" : (sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2).ToString("0.0 s", CultureInfo.InvariantCulture);
    }
}
