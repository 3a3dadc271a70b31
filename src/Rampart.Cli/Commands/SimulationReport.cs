using System.Globalization;
using Rampart.Simulator;

namespace Rampart.Cli.Commands;

/// <summary>The status line the simulator prints while it runs.</summary>
internal sealed class SimulationReport(FleetSimulation simulation, int devices)
{
    private long _lastSent;
    private DateTimeOffset _lastAt = DateTimeOffset.UtcNow;

    public string Status()
    {
        var stats = simulation.Stats;
        var now = DateTimeOffset.UtcNow;
        var sent = stats.MessagesSent;
        var rate = (sent - _lastSent) / Math.Max(0.001, (now - _lastAt).TotalSeconds);
        (_lastSent, _lastAt) = (sent, now);
        var refused = stats.RefusedPublishes.Sum(pair => pair.Value);
        var updates = stats.Updates.IsEmpty ? string.Empty : "  updates " + string.Join(", ", stats.Updates.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"enrolled {stats.Enrolled}/{devices}  connected {stats.Connected}  messages {sent} ({rate:F0}/s)  publishes refused {refused}  connections refused {stats.RefusedConnections}{updates}");
    }
}
