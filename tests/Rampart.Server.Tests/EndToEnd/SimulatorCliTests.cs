using System.Text.RegularExpressions;
using Rampart.Testing;

namespace Rampart.Server.Tests.EndToEnd;

/// <summary><c>rampart demo</c> and <c>rampart sim</c> as a user runs them.</summary>
public sealed partial class SimulatorCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("--devices", "-1", "rampart: --devices: must be 1 to 100000 (it is -1)")]
    [InlineData("--interval", "0", "rampart: --interval: must be 0.01 to 86400 seconds (it is 0)")]
    [InlineData("--duration", "-5", "rampart: --duration: must be at least 1 second (it is -5)")]
    [InlineData("--prefix", "a/b", "rampart: --prefix: 'a/b' must be")]
    [InlineData("--https", "not a url", "rampart: --https: 'not a url' is not an https:// URL")]
    [InlineData("--mqtt", "127.0.0.1:0", "rampart: --mqtt: '127.0.0.1:0' is not HOST:PORT")]
    public async Task Sim_refuses_a_bad_setting_with_one_line_naming_it(string option, string value, string expected)
    {
        var root = Path.Combine(Directory.CreateDirectory(_temp.Sub("ca")).FullName, "root.pem");
        await File.WriteAllTextAsync(root, "not needed: the settings are checked first");

        var (exit, output) = await RampartCli.RunAsync("sim", "--root", root, option, value);

        Assert.Equal(2, exit);
        Assert.StartsWith(expected, output.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_runs_a_fleet_and_its_summary_counts_what_the_node_saw()
    {
        // --wait-ready: the 15 s start once the fleet is enrolled and connected (on a busy machine enrolment ate them,
        // and the clone device had not yet connected from its second address when the demo stopped).
        var (exit, output) = await RunningProcess.RunAsync("dotnet", [RampartCli.Dll, "demo", "--devices", "24", "--duration", "15", "--wait-ready", "180"], TimeSpan.FromSeconds(240));

        Assert.True(exit == 0, output);
        Assert.Matches(Row("devices enrolled", @"23 \(failed 0\)"), output);
        foreach (var profile in new[] { "flood", "scanner", "clone", "tamper", "stale", "default-creds" })
        {
            Assert.Matches(Row($"{profile} devices flagged", "1 of 1"), output);
        }

        Assert.Matches(Row("well-behaved devices flagged", "0"), output);
        Assert.Contains("gateway.possible-cloned-identity", output, StringComparison.Ordinal);
        Assert.Contains("gateway.limit-exceeded", output, StringComparison.Ordinal);
        Assert.Contains("gateway.subscribe-denied", output, StringComparison.Ordinal);
        Assert.Contains("device.tamper-reported", output, StringComparison.Ordinal);
        Assert.Contains("device.firmware-measurement-changed", output, StringComparison.Ordinal);
        Assert.Contains("device.unsupported-firmware", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_rollout_is_signed_promoted_by_two_people_and_aborts_when_its_canary_fails()
    {
        var (exit, output) = await RunningProcess.RunAsync("dotnet",
            [RampartCli.Dll, "demo", "--devices", "12", "--duration", "10", "--wait-ready", "240", "--rollout", "--bad-update", "100%",
                "--flood", "0", "--scanner", "0", "--clone", "0", "--tamper", "0", "--stale", "0", "--default-creds", "0"], TimeSpan.FromSeconds(300));

        Assert.True(exit == 0, output);
        Assert.Contains("Release demo-sensor-2.0.0 signed (ECDSA P-256 + LMS)", output, StringComparison.Ordinal);
        Assert.Contains("Four-eyes: promotion requested by demo-officer-1, approved by demo-officer-2", output, StringComparison.Ordinal);
        Assert.Matches(@"rollout 1 aborted \(wave 1/\d\): [^\n]*rolled-back [1-9]", output);
        Assert.DoesNotMatch(@"succeeded [1-9]", output);
    }

    [Fact]
    public async Task The_simulator_enrolls_and_connects_devices_to_a_running_node_and_a_scanner_is_refused()
    {
        var data = _temp.Sub("data");
        using var serve = RampartCli.Serve(data);
        var https = await RampartCli.WaitUntilReadyAsync(serve);
        var mqtt = MqttAddress().Match(serve.Output).Groups[1].Value;

        // The 8 seconds start once all six are enrolled and connected (a busy machine enrolls slowly); the process is given longer than that bound.
        var (exit, output) = await RunningProcess.RunAsync("dotnet", [RampartCli.Dll, "sim", "--data", data, "--https", https.ToString(), "--mqtt", mqtt, "--devices", "6",
            "--scanner", "1", "--interval", "1", "--duration", "8", "--wait-ready", "180"], TimeSpan.FromSeconds(240));

        Assert.True(exit == 0, output);
        Assert.Contains("enrolled 6/6  connected 6", output, StringComparison.Ordinal);
        Assert.Matches(@"publishes refused [1-9]", output);
        var (listed, devices) = await RampartCli.RunAsync("device", "list", "--data", data);
        Assert.True(listed == 0, devices);
        Assert.Contains("sim-00006", devices, StringComparison.Ordinal);
        var (shown, scanner) = await RampartCli.RunAsync("device", "show", "sim-00001", "--data", data);
        Assert.True(shown == 0, scanner);
        Assert.Matches(@"denials [1-9]", scanner);
    }

    [Theory]
    [InlineData("5x")]
    [InlineData("150%")]
    [InlineData("-1")]
    public async Task A_profile_that_is_neither_a_count_nor_a_percentage_is_refused_before_anything_starts(string value)
    {
        var (exit, output) = await RampartCli.RunAsync("demo", "--devices", "10", "--flood", value);

        Assert.Equal(2, exit);
        Assert.Contains($"--flood: '{value}' is neither a device count nor a percentage", output, StringComparison.Ordinal);
    }

    private static Regex Row(string label, string value) => new($"│ {Regex.Escape(label)} +│ {value} ");

    [GeneratedRegex(@"mqtts=([0-9.]+:[0-9]+)")]
    private static partial Regex MqttAddress();
}
