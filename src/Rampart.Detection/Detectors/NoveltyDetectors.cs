namespace Rampart.Detection.Detectors;

/// <summary>
/// A source address the device never connected from (a copied identity, a device moved to another
/// network). The device's first addresses are learned, not judged; a new one is reported once and then known.
/// </summary>
public sealed class NewSourceDetector : IDetector
{
    public const string DetectorName = "novelty.source-address";

    public string Name => DetectorName;

    public void Evaluate(DetectionContext context, List<Finding> findings)
    {
        var known = context.Profile.Sources;
        if (known.Count == 0 || known.Full)
        {
            return;
        }

        var fresh = context.Window.Sources.Where(source => !known.Contains(source)).ToArray();
        if (fresh.Length > 0)
        {
            findings.Add(context.Finding(Name, AlertSeverity.Medium, $"connected from a new address {string.Join(", ", fresh)}",
                new() { ["new-sources"] = string.Join(",", fresh), ["known-sources"] = known.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        }
    }
}

/// <summary>
/// A listening port the device did not have before (a telnet or debug service appearing is the classic
/// backdoor). Ports that are a known backdoor or cleartext-admin service are judged from the first
/// report; any other port only once the device has reported before (its first ports are its normal).
/// A port that raised this finding is never learned, and a risky port is never learned at all: it is
/// reported in every window it stays open (the alert joins those sightings), and again after a release.
/// </summary>
public sealed class NewListeningPortDetector : IDetector
{
    /// <summary>Ports no fleet device should open and none is ever learned (docs/detection.md, "Risky ports"): FTP 21, telnet 23, Mirai's alternate telnet 2323, adb 5555, shells 4444, 1337, 31337, IRC 6667.</summary>
    public static IReadOnlySet<int> Risky { get; } = new HashSet<int> { 21, 23, 2323, 4444, 5555, 6667, 1337, 31337 };

    public const string DetectorName = "novelty.listening-port";

    public string Name => DetectorName;

    public void Evaluate(DetectionContext context, List<Finding> findings)
    {
        if (context.Window.Posture is not { } posture)
        {
            return;
        }

        var known = context.Profile.Ports;
        var first = context.Profile.Postures == 0;
        var fresh = posture.ListeningPorts.Where(port => !known.Contains(port) && (Risky.Contains(port) || (!first && !known.Full))).Order().ToArray();
        if (fresh.Length > 0)
        {
            var risky = fresh.Where(Risky.Contains).ToArray();
            findings.Add(context.Finding(Name, risky.Length > 0 ? AlertSeverity.High : AlertSeverity.Medium,
                $"new listening port{(fresh.Length > 1 ? "s" : "")} {string.Join(", ", fresh)}{(risky.Length > 0 ? " (a known backdoor or cleartext service)" : "")}",
                new() { ["new-ports"] = string.Join(",", fresh), ["listening-ports"] = string.Join(",", posture.ListeningPorts) }));
        }
    }
}

/// <summary>
/// A destination the device's posture report lists that it never had (a beacon to a command server).
/// Only devices whose agent reports destinations are judged; the first report's destinations are learned.
/// </summary>
public sealed class NewDestinationDetector : IDetector
{
    public const string DetectorName = "novelty.destination";

    public string Name => DetectorName;

    public void Evaluate(DetectionContext context, List<Finding> findings)
    {
        if (context.Window.Posture?.Destinations is not { } destinations || context.Profile.Postures == 0 || context.Profile.Destinations.Full)
        {
            return;
        }

        var fresh = destinations.Where(destination => !context.Profile.Destinations.Contains(destination)).ToArray();
        if (fresh.Length > 0)
        {
            findings.Add(context.Finding(Name, AlertSeverity.High, $"new destination {string.Join(", ", fresh)}",
                new() { ["new-destinations"] = string.Join(",", fresh), ["destinations"] = string.Join(",", destinations.Take(16)) }));
        }
    }
}
