using Microsoft.Extensions.DependencyInjection;
using System.Security.Cryptography;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Server.Updates;
using Rampart.Testing;
using Rampart.Updates.Rollouts;

namespace Rampart.Server.Tests.Updates;

/// <summary><c>rampart release</c> and <c>rampart rollout</c> as an operator runs them, against devices running the SDK's update client.</summary>
public sealed class ReleaseCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_operator_adds_a_release_with_its_SBOM_gets_it_approved_and_rolls_it_out_from_the_command_line()
    {
        await using var fleet = await UpdateFleet.StartAsync();
        var data = fleet.Node.Node.Node.DataDirectory;
        await fleet.DeviceAsync("gw-1", "gateway", healthy: _ => true);
        await fleet.DeviceAsync("gw-2", "gateway", healthy: _ => true);
        var image = _temp.Sub("gateway-2.0.0.bin");
        await File.WriteAllBytesAsync(image, RandomNumberGenerator.GetBytes(2_500_000));
        var sbom = _temp.Sub("sbom.json");
        await File.WriteAllTextAsync(sbom, """{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"name": "openssl", "version": "3.0.13"}]}""");

        var add = await RampartCli.RunAsync("release", "add", image, "--model", "gateway", "--version", "2.0.0", "--svn", "3", "--hardware", "rev-b", "--sbom", sbom, "--data", data);
        Assert.True(add.ExitCode == 0, add.Output);
        Assert.Contains("release gateway-2.0.0 staged: svn 3, image 2500000 bytes", add.Output, StringComparison.Ordinal);

        // Image, signed manifest and SBOM are TUF targets with the release's custom metadata.
        var repository = fleet.Node.Get<TufRepository>();
        Assert.Equal(2_500_000, repository.TargetInfo("gateway-2.0.0.bin")!["length"]!.GetValue<long>());
        Assert.Equal(3, repository.TargetInfo("gateway-2.0.0.manifest.json")!["custom"]!["svn"]!.GetValue<long>());
        Assert.Equal("sbom", repository.TargetInfo("gateway-2.0.0.sbom.json")!["custom"]!["kind"]!.GetValue<string>());

        var again = await RampartCli.RunAsync("release", "add", image, "--model", "gateway", "--version", "2.0.0", "--svn", "3", "--data", data);
        var tooEarly = await RampartCli.RunAsync("rollout", "create", "--release", "gateway-2.0.0", "--select", "model=gateway", "--data", data);
        Assert.Equal((2, 2), (again.ExitCode, tooEarly.ExitCode));
        Assert.Contains("release gateway-2.0.0 exists", again.Output, StringComparison.Ordinal);
        Assert.Contains("needs approval to production", tooEarly.Output, StringComparison.Ordinal);

        var promote = await RampartCli.RunAsync("release", "promote", "gateway-2.0.0", "--data", data);
        Assert.True(promote.ExitCode == 0, promote.Output);
        var approvalId = long.Parse(System.Text.RegularExpressions.Regex.Match(promote.Output, @"approval (\d+) requested").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        await fleet.Node.Get<Rampart.Fleet.Approvals.ApprovalService>().ApproveAsync(approvalId, UpdateFleet.SecurityOfficerB, CancellationToken.None);
        var list = await RampartCli.RunAsync("release", "list", "--data", data);
        Assert.Matches(@"gateway-2\.0\.0\s+production\s+svn 3", list.Output);

        var badSelector = await RampartCli.RunAsync("rollout", "create", "--release", "gateway-2.0.0", "--select", "colour=red", "--data", data);
        Assert.Equal(2, badSelector.ExitCode);
        Assert.Contains("unknown selector key 'colour'", badSelector.Output, StringComparison.Ordinal);

        var create = await RampartCli.RunAsync("rollout", "create", "--release", "gateway-2.0.0", "--select", "model=gateway", "--canary", "1", "--steps", "100",
            "--rate", "600", "--min-executed", "1", "--data", data);
        Assert.True(create.ExitCode == 0, create.Output);
        Assert.Contains("rollout 1: Running", create.Output, StringComparison.OrdinalIgnoreCase);

        var rollouts = fleet.Node.Get<RolloutService>();
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while ((await rollouts.StatusAsync(1, CancellationToken.None)).Rollout.State != RolloutState.Completed)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the rollout did not complete");
            await Task.Delay(200);
        }

        var status = await RampartCli.RunAsync("rollout", "status", "1", "--data", data);
        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Contains("completed", status.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("devices: succeeded 2", status.Output, StringComparison.Ordinal);
        var succeeded = await RampartCli.RunAsync("rollout", "devices", "1", "--state", "succeeded", "--data", data);
        Assert.Matches(@"gw-1\s+wave \d\s+succeeded", succeeded.Output);
        Assert.Matches(@"gw-2\s+wave \d\s+succeeded", succeeded.Output);
        var unknownState = await RampartCli.RunAsync("rollout", "devices", "1", "--state", "exploded", "--data", data);
        Assert.Equal(2, unknownState.ExitCode);
        Assert.Contains("unknown state 'exploded'", unknownState.Output, StringComparison.Ordinal);
        Assert.All(fleet.Devices, d => Assert.Equal("2.0.0", d.Slots.Installed.Version));
        var shown = await RampartCli.RunAsync("device", "show", "gw-1", "--data", data);
        Assert.Contains("firmware running:  2.0.0 (svn 3, reported", shown.Output, StringComparison.Ordinal);
        var cancel = await RampartCli.RunAsync("rollout", "cancel", "1", "--data", data);
        Assert.Equal(2, cancel.ExitCode);
        Assert.Contains("rollout 1 is completed", cancel.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_image_or_a_version_that_is_not_semver_is_refused_with_a_reason()
    {
        await using var node = await TestNode.StartAsync(_temp.Sub("data"));
        var data = node.Node.DataDirectory;
        var image = _temp.Sub("fw.bin");
        await File.WriteAllBytesAsync(image, [1, 2, 3]);

        var missing = await RampartCli.RunAsync("release", "add", _temp.Sub("nope.bin"), "--model", "m", "--version", "1.0.0", "--svn", "1", "--data", data);
        var notSemver = await RampartCli.RunAsync("release", "add", image, "--model", "m", "--version", "v1", "--svn", "1", "--data", data);
        var badSbom = _temp.Sub("sbom.txt");
        await File.WriteAllTextAsync(badSbom, "not json");
        var notJson = await RampartCli.RunAsync("release", "add", image, "--model", "m", "--version", "1.0.0", "--svn", "1", "--sbom", badSbom, "--data", data);

        Assert.Equal((2, 2, 2), (missing.ExitCode, notSemver.ExitCode, notJson.ExitCode));
        Assert.Contains("does not exist", missing.Output, StringComparison.Ordinal);
        Assert.Contains("version 'v1' is not semver", notSemver.Output, StringComparison.Ordinal);
        Assert.Contains("the SBOM must be a JSON document", notJson.Output, StringComparison.Ordinal);
        Assert.Empty(await node.Node.Services.GetRequiredService<ReleaseService>().ListAsync(CancellationToken.None));

        // Past the CLI's own check: the node refuses an upload over 64 MiB with 413 and a reason, and keeps nothing.
        var uploads = Directory.EnumerateFiles(Path.Combine(data, "uploads")).Count();
        using var admin = new Rampart.Server.Admin.AdminClient(Path.Combine(data, "admin.sock"));
        using var oversized = new ByteArrayContent(new byte[ReleaseUploads.MaxBytes + 1]);
        var tooLarge = await Assert.ThrowsAsync<Rampart.Server.Admin.AdminCommandException>(() =>
            admin.SendAsync<Rampart.Server.Api.UploadResponse>(HttpMethod.Post, "api/v1/releases/uploads", CancellationToken.None, oversized));
        Assert.Contains($"the request body is over {ReleaseUploads.MaxBytes} bytes", tooLarge.Message, StringComparison.Ordinal);
        Assert.Equal(uploads, Directory.EnumerateFiles(Path.Combine(data, "uploads")).Count());
    }
}
