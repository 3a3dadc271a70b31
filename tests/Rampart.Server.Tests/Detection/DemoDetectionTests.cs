using System.Text.RegularExpressions;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Testing;

namespace Rampart.Server.Tests.Detection;

/// <summary><c>rampart demo</c> as a user runs it: every misbehaviour is alerted on and contained by the node, and no well-behaved device is.</summary>
public sealed class DemoDetectionTests
{
    [Fact]
    public async Task The_demo_alerts_on_and_contains_every_profile_and_no_well_behaved_device()
    {
        var (exit, output) = await RunningProcess.RunAsync("dotnet", [RampartCli.Dll, "demo", "--devices", "30", "--duration", "90"], TimeSpan.FromSeconds(300));

        Assert.True(exit == 0, output);
        foreach (var profile in new[] { "flood", "scanner", "clone", "tamper", "stale", "exfiltrate", "reboot-loop", "backdoor", "beacon", "drift" })
        {
            Assert.Matches(Row($"{profile} alerted, contained", "1 of 1, 1 of 1"), output);
            Assert.Matches(Row($"{profile} to alert, to contain", @"[0-9.]+ s, [0-9.]+ s \(median\)"), output);
        }

        Assert.Matches(Row("alerts on well-behaved devices", "0"), output);
        Assert.Contains("alert.opened", output, StringComparison.Ordinal);
        Assert.Contains("response.quarantine", output, StringComparison.Ordinal);
    }

    private static Regex Row(string label, string value) => new($"│ {Regex.Escape(label)} +│ {value} ");
}
