using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Authority;
using Rampart.Testing;

namespace Rampart.Server.Tests.EndToEnd;

public sealed class DeviceCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_inventory_commands_add_list_show_and_retire_a_device()
    {
        await using var node = await TestNode.StartAsync(_temp.Sub("data"));
        var data = node.Node.DataDirectory;

        var add = await RampartCli.RunAsync("device", "add", "pump-7", "--model", "P7", "--vendor", "acme", "--site", "plant-1", "--zone", "ot",
            "--tag", "critical", "--tag", "pumps", "--support-until", "2030-12-31", "--data", data);
        var list = await RampartCli.RunAsync("device", "list", "--data", data);
        var show = await RampartCli.RunAsync("device", "show", "pump-7", "--data", data);
        var quarantine = await RampartCli.RunAsync("device", "quarantine", "pump-7", "--reason", "test", "--data", data);
        var retire = await RampartCli.RunAsync("device", "retire", "pump-7", "--data", data);
        var afterRetire = await RampartCli.RunAsync("device", "show", "pump-7", "--data", data);

        Assert.True(add.ExitCode == 0, add.Output);
        Assert.Contains("device pump-7 added (registered)", add.Output, StringComparison.Ordinal);
        Assert.Matches("rampart-boot-[A-Za-z0-9_-]{43}", add.Output);
        Assert.Matches(@"pump-7\s+registered\s+P7\s+acme\s+plant-1\s+ot", list.Output);
        Assert.Contains("tags:              critical, pumps", show.Output, StringComparison.Ordinal);
        Assert.Contains("support until:     2030-12-31", show.Output, StringComparison.Ordinal);
        Assert.Contains("firmware running:  - (not reported)", show.Output, StringComparison.Ordinal);
        Assert.Equal(2, quarantine.ExitCode);
        Assert.Contains("device pump-7 is registered; it must be active to become quarantined", quarantine.Output, StringComparison.Ordinal);
        Assert.True(retire.ExitCode == 0, retire.Output);
        Assert.Contains("state:             retired", afterRetire.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusals_come_back_as_one_clear_line_and_exit_code_2()
    {
        await using var node = await TestNode.StartAsync(_temp.Sub("data"));
        var data = node.Node.DataDirectory;

        var missing = await RampartCli.RunAsync("device", "show", "nope", "--data", data);
        var badId = await RampartCli.RunAsync("device", "add", "a/b", "--data", data);
        var badDate = await RampartCli.RunAsync("device", "add", "ok", "--support-until", "tomorrow", "--data", data);
        var revokeNothing = await RampartCli.RunAsync("cert", "revoke", "--data", data);
        var badReason = await RampartCli.RunAsync("cert", "revoke", "--serial", "AB", "--reason", "because", "--data", data);

        Assert.Equal((2, "rampart: no device nope"), (missing.ExitCode, missing.Output.Trim()));
        Assert.Equal((2, "rampart: 'a/b' is not a device id: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"), (badId.ExitCode, badId.Output.Trim()));
        Assert.Contains("not a date as YYYY-MM-DD", badDate.Output, StringComparison.Ordinal);
        Assert.Contains("exactly one of --device ID or --serial HEX", revokeNothing.Output, StringComparison.Ordinal);
        Assert.Contains("unknown reason 'because'", badReason.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("show")]
    [InlineData("retire")]
    [InlineData("token")]
    public async Task Ids_made_of_dots_get_a_clear_error_and_never_reach_another_endpoint(string command)
    {
        await using var node = await TestNode.StartAsync(_temp.Sub("data"));
        var data = node.Node.DataDirectory;

        var dot = await RampartCli.RunAsync("device", command, ".", "--data", data);
        var dots = await RampartCli.RunAsync("device", command, "..", "--data", data);

        // Before: "." became GET /api/v1/devices/ (the list), and show crashed with ArgumentNullException.
        Assert.Equal((2, "rampart: '.' is not a device id: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"), (dot.ExitCode, dot.Output.Trim()));
        Assert.Equal(2, dots.ExitCode);
        Assert.Contains("'..' is not a device id", dots.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", dot.Output + dots.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Escape_sequences_in_invalid_input_are_printed_escaped_never_raw()
    {
        await using var node = await TestNode.StartAsync(_temp.Sub("data"));
        var data = node.Node.DataDirectory;

        var local = await RampartCli.RunAsync("device", "show", "\u001b]0;pwned\u0007\u001b[2J", "--data", data);
        var fromNode = await RampartCli.RunAsync("cert", "revoke", "--serial", "AB", "--reason", "x\u001b[31mred\r", "--data", data);

        Assert.Equal(2, local.ExitCode);
        Assert.Contains("'\\u001b]0;pwned\\u0007\\u001b[2J' is not a device id", local.Output, StringComparison.Ordinal);
        Assert.Contains("unknown reason 'x\\u001b[31mred\\u000d'", fromNode.Output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', local.Output + fromNode.Output);
        Assert.DoesNotContain('\u0007', local.Output + fromNode.Output);
        Assert.DoesNotContain('\r', local.Output + fromNode.Output);
    }

    [Fact]
    public async Task A_security_event_whose_details_carry_an_escape_sequence_is_listed_escaped()
    {
        await using var node = await TestNode.StartAsync(_temp.Sub("data"));
        var events = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Fleet.Monitoring.SecurityEvents>(node.Node.Services);

        // What a device controls ends up in details: the topic it was denied, for one.
        await events.RecordAsync("gateway.publish-denied", Fleet.Monitoring.SecuritySeverity.High, "pump-7", "127.0.0.1",
            new Dictionary<string, string> { ["topic"] = "devices/pump-7/\u001b]0;owned\u0007\u001b[2J" });
        var list = await RampartCli.RunAsync("events", "list", "--data", node.Node.DataDirectory);

        Assert.True(list.ExitCode == 0, list.Output);
        Assert.Contains("topic=devices/pump-7/\\u001b]0;owned\\u0007\\u001b[2J", list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', list.Output);
    }

    [Fact]
    public async Task Admin_commands_say_so_when_no_node_is_running()
    {
        var data = _temp.Sub("data");
        await (await TestNode.StartAsync(data)).DisposeAsync();

        var (exitCode, output) = await RampartCli.RunAsync("device", "list", "--data", data);

        Assert.Equal(2, exitCode);
        Assert.Contains("no node is running", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_imported_ca_is_used_and_its_root_key_never_reaches_the_node()
    {
        var (authority, rootKey) = CertificateAuthority.Create("Imported", DateTimeOffset.UtcNow);
        using (authority)
        using (rootKey)
        using (var issuingKey = authority.Issuing.GetECDsaPrivateKey()!)
        {
            await File.WriteAllTextAsync(_temp.Sub("root.pem"), authority.Root.ExportCertificatePem());
            await File.WriteAllTextAsync(_temp.Sub("issuing.pem"), authority.Issuing.ExportCertificatePem());
            await File.WriteAllTextAsync(_temp.Sub("issuing.key"), issuingKey.ExportPkcs8PrivateKeyPem());
        }

        var data = _temp.Sub("data");
        var import = await RampartCli.RunAsync("ca", "import", "--data", data,
            "--root-cert", _temp.Sub("root.pem"), "--issuing-cert", _temp.Sub("issuing.pem"), "--issuing-key", _temp.Sub("issuing.key"));
        var again = await RampartCli.RunAsync("ca", "import", "--data", data,
            "--root-cert", _temp.Sub("root.pem"), "--issuing-cert", _temp.Sub("issuing.pem"), "--issuing-key", _temp.Sub("issuing.key"));
        await using var node = await TestNode.StartAsync(data);

        Assert.True(import.ExitCode == 0, import.Output);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("has a CA already", again.Output, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(_temp.Sub("root.pem")), await File.ReadAllTextAsync(Path.Combine(data, "ca-root.crt.pem")));
        Assert.False(File.Exists(Path.Combine(data, "keys", "ca-root.key.pem")));
        using var client = node.HttpsClient();
        Assert.Contains("Imported Issuing CA", System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(
            (await client.GetStringAsync(".well-known/est/cacerts")).Replace("\n", string.Empty, StringComparison.Ordinal))), StringComparison.Ordinal);
        var (verifyCode, verify) = await RampartCli.RunAsync("audit", "verify", "--data", data);
        Assert.True(verifyCode == 0, verify);
    }
}
