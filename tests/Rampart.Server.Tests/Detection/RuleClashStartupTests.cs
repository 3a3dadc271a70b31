using Rampart.Server.Hosting;
using Rampart.Testing;

namespace Rampart.Server.Tests.Detection;

/// <summary>Rules that clash are refused when the node starts, with every clash named: the node never runs a policy that contradicts itself.</summary>
public sealed class RuleClashStartupTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Two_rules_of_one_name_and_a_response_rule_an_earlier_one_shadows_stop_the_node_at_start_naming_each()
    {
        var profiles = _temp.Sub("profiles.json");
        await File.WriteAllTextAsync(profiles, """
            { "rules": [
                { "name": "exfil", "metric": "bytes-out", "comparison": ">=", "threshold": 100000 },
                { "name": "exfil", "metric": "bytes-out", "comparison": "<", "threshold": 10 } ] }
            """);

        var error = await Assert.ThrowsAsync<NodeStartupException>(() => TestNode.StartAsync(_temp.Sub("data"), new Dictionary<string, string?>
        {
            ["Rampart:Detection:ProfilesFile"] = profiles,
            ["Rampart:Detection:Response:Rules:0:Detectors:0"] = "novelty.*",
            ["Rampart:Detection:Response:Rules:0:MinimumSeverity"] = "Medium",
            ["Rampart:Detection:Response:Rules:0:Action"] = "Quarantine",
            ["Rampart:Detection:Response:Rules:1:Detectors:0"] = "novelty.destination",
            ["Rampart:Detection:Response:Rules:1:MinimumSeverity"] = "High",
            ["Rampart:Detection:Response:Rules:1:Action"] = "Revoke",
        }));

        Assert.Contains($"Detection:ProfilesFile {profiles}: rules[1].name: 'exfil' is used twice", error.Message, StringComparison.Ordinal);
        Assert.Contains("Detection:Response:Rules:1 (Revoke from High on novelty.destination) never applies: Rules:0 (Quarantine from Medium on novelty.*) matches every alert it would",
            error.Message, StringComparison.Ordinal);
    }
}
