using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Testing;

namespace Rampart.Server.Tests.Detection;

/// <summary><c>rampart alerts</c> as a user runs it against a running node's admin socket.</summary>
public sealed class AlertCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_alert_commands_list_show_acknowledge_suppress_and_resolve_an_alert()
    {
        await using var node = await TestNode.StartAsync(_temp.Sub("data"));
        var data = node.Node.DataDirectory;
        var evidence = new Dictionary<string, string> { ["new-ports"] = "23", ["listening-ports"] = "443,23" };
        var raised = await node.Node.Services.GetRequiredService<AlertService>().RaiseAsync(
            [new Finding("novelty.listening-port", "cam-3", AlertSeverity.High, "new listening port 23 (a known backdoor or cleartext service)", evidence, DateTimeOffset.UtcNow)],
            CancellationToken.None);
        var id = raised[0].Alert.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var list = await RampartCli.RunAsync("alerts", "list", "--data", data);
        var json = await RampartCli.RunAsync("alerts", "list", "--json", "--state", "open", "--data", data);
        var show = await RampartCli.RunAsync("alerts", "show", id, "--data", data);
        var ack = await RampartCli.RunAsync("alerts", "ack", id, "--note", "calling the site", "--data", data);
        var suppress = await RampartCli.RunAsync("alerts", "suppress", id, "--reason", "maintenance window", "--minutes", "30", "--data", data);
        var neither = await RampartCli.RunAsync("alerts", "suppress", id, "--reason", "x", "--data", data);
        var resolve = await RampartCli.RunAsync("alerts", "resolve", id, "--reason", "telnet disabled", "--data", data);
        var showJson = await RampartCli.RunAsync("alerts", "show", id, "--json", "--data", data);

        Assert.True(list.ExitCode == 0, list.Output);
        Assert.Matches(@$"{id}\s+open\s+high\s+cam-3\s+novelty\.listening-port\s+new listening port 23", list.Output);
        using (var document = JsonDocument.Parse(json.Output))
        {
            var alert = Assert.Single(document.RootElement.EnumerateArray());
            Assert.Equal("cam-3", alert.GetProperty("deviceId").GetString());
            Assert.Equal("23", alert.GetProperty("evidence").GetProperty("new-ports").GetString());
        }

        Assert.Contains("new-ports = 23", show.Output, StringComparison.Ordinal);
        Assert.Matches(@$"{id}\s+acknowledged", ack.Output);
        Assert.Matches(@$"{id}\s+suppressed", suppress.Output);
        Assert.Equal((2, "rampart: give either --minutes or --until"), (neither.ExitCode, neither.Output.Trim()));
        Assert.Matches(@$"{id}\s+resolved", resolve.Output);
        using (var document = JsonDocument.Parse(showJson.Output))
        {
            Assert.Equal("telnet disabled", document.RootElement.GetProperty("alert").GetProperty("reason").GetString());
        }
    }

    [Fact]
    public async Task A_release_without_a_fresh_posture_is_refused_with_the_reason()
    {
        await using var node = await TestNode.StartAsync(_temp.Sub("data"));
        var data = node.Node.DataDirectory;
        await RampartCli.RunAsync("device", "add", "cam-4", "--model", "cam", "--data", data);

        var notQuarantined = await RampartCli.RunAsync("alerts", "release", "cam-4", "--reason", "fixed", "--data", data);
        var inventoryPath = await RampartCli.RunAsync("device", "release", "cam-4", "--reason", "fixed", "--data", data);

        Assert.Equal((2, "rampart: device cam-4 is registered; it must be quarantined to become active"), (notQuarantined.ExitCode, notQuarantined.Output.Trim()));
        Assert.Equal((notQuarantined.ExitCode, notQuarantined.Output), (inventoryPath.ExitCode, inventoryPath.Output));
    }
}
