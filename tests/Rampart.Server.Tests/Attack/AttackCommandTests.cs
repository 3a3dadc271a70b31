using System.Text.Json;
using Rampart.Attack.Battery;
using Rampart.Server.Tests.EndToEnd;

namespace Rampart.Server.Tests.Attack;

/// <summary><c>rampart attack</c> against a real node: every control holds, and the report says so with evidence.</summary>
public sealed class AttackCommandTests : NodeTestBase
{
    [Fact]
    public async Task Every_attack_of_the_battery_is_held_by_a_default_node()
    {
        var node = Node.Node;

        // A published release, so the manifest, rollback and freeze attacks have firmware and history to attack.
        var image = Temp("firmware.bin");
        await File.WriteAllBytesAsync(image, System.Security.Cryptography.RandomNumberGenerator.GetBytes(4096));
        var (added, release) = await RampartCli.RunAsync("release", "add", image, "--model", "sensor", "--version", "1.0.0", "--svn", "1", "--data", node.DataDirectory);
        Assert.True(added == 0, release);

        var (code, output) = await RampartCli.RunAsync(
            "attack", "--json", "--data", node.DataDirectory, "--server", node.HttpsUri.ToString(), "--mqtt", $"127.0.0.1:{node.MqttEndPoint.Port}");

        var json = output[output.IndexOf('{', StringComparison.Ordinal)..];
        using var report = JsonDocument.Parse(json);
        var attacks = report.RootElement.GetProperty("attacks").EnumerateArray().ToArray();
        var notHeld = attacks.Where(a => a.GetProperty("verdict").GetString() != "held")
            .Select(a => $"{a.GetProperty("name").GetString()}: {a.GetProperty("verdict").GetString()} — {a.GetProperty("evidence").GetString()}").ToArray();
        Assert.True(notHeld.Length == 0, string.Join(Environment.NewLine, notHeld));
        Assert.Equal(0, code);
        Assert.Equal(AttackBattery.All.Select(a => a.Name), attacks.Select(a => a.GetProperty("name").GetString()));
        Assert.All(attacks, a => Assert.False(string.IsNullOrWhiteSpace(a.GetProperty("evidence").GetString())));
        Assert.All(attacks, a => Assert.StartsWith("I", a.GetProperty("owasp").GetString(), StringComparison.Ordinal));
        Assert.Contains("snapshot 1 served as 2", attacks.Single(a => a.GetProperty("name").GetString() == "tuf-rollback").GetProperty("evidence").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_target_that_is_not_loopback_is_refused_before_anything_is_sent()
    {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): the guard refuses it by its address, no packet leaves.
        var (code, output) = await RampartCli.RunAsync(
            "attack", "--data", Node.Node.DataDirectory, "--server", "https://192.0.2.1:8443", "--mqtt", "192.0.2.1:8883");

        Assert.Equal(2, code);
        Assert.Contains("not loopback", output, StringComparison.Ordinal);
        Assert.Contains("--allow-target 192.0.2.1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_runs_the_named_attacks_and_an_unknown_name_lists_the_known_ones()
    {
        var node = Node.Node;
        string[] target = ["--data", node.DataDirectory, "--server", node.HttpsUri.ToString(), "--mqtt", $"127.0.0.1:{node.MqttEndPoint.Port}"];

        var (code, output) = await RampartCli.RunAsync(["attack", "--only", "client-id-spoofing", "est-token-reuse", .. target]);
        Assert.True(code == 0, output);
        Assert.Contains("2 held, 0 not held, 0 skipped", output, StringComparison.Ordinal);
        Assert.DoesNotContain("message-flood", output, StringComparison.Ordinal);

        var (unknownCode, unknown) = await RampartCli.RunAsync(["attack", "--only", "telnet", .. target]);
        Assert.Equal(2, unknownCode);
        Assert.Contains("unknown attack telnet; known: no-client-certificate", unknown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_battery_against_a_port_where_no_node_listens_refuses_to_judge_anything()
    {
        // Port 1 on loopback: nothing answers, so every "refusal" would prove nothing.
        var (code, output) = await RampartCli.RunAsync(
            "attack", "--data", Node.Node.DataDirectory, "--server", Node.Node.HttpsUri.ToString(), "--mqtt", "127.0.0.1:1");

        Assert.Equal(2, code);
        Assert.Contains("a genuine device cannot enroll and connect", output, StringComparison.Ordinal);
        Assert.DoesNotContain("HELD", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dns_name_is_refused_unless_allowed_because_it_could_rebind()
    {
        var refused = await Assert.ThrowsAsync<AttackRefusedException>(() => TargetGuard.CheckAsync("node.example.invalid", [], CancellationToken.None));
        Assert.Contains("--allow-target node.example.invalid", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_guard_checks_every_address_a_name_resolves_to()
    {
        Assert.Single(await TargetGuard.CheckAsync("127.0.0.1", [], CancellationToken.None));
        Assert.NotEmpty(await TargetGuard.CheckAsync("localhost", [], CancellationToken.None));
        var refused = await Assert.ThrowsAsync<AttackRefusedException>(() => TargetGuard.CheckAsync("192.0.2.7", [], CancellationToken.None));
        Assert.Contains("192.0.2.7", refused.Message, StringComparison.Ordinal);
        Assert.Single(await TargetGuard.CheckAsync("192.0.2.7", ["192.0.2.7"], CancellationToken.None));
    }
}
