using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Server.Hosting;
using Rampart.Server.Keys;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Testing;

namespace Rampart.Server.Tests.Keys;

/// <summary>
/// <c>rampart ca rollover</c> as a real child process that dies by SIGKILL between its durable steps
/// (<see cref="CrashPoint"/>): before the commit, the next load keeps the old issuing CA and the log
/// has no <c>ca.rolled-over</c>; after it, the next load finishes the swap onto the new CA and the log
/// has exactly one entry naming it. Either both are visible or neither; the log verifies either way.
/// </summary>
public sealed class CaRolloverCrashTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("ca-rollover-prepared", false)]
    [InlineData("ca-rollover-committed", true)]
    public async Task A_rollover_killed_between_its_steps_leaves_the_swap_and_its_audit_entry_both_or_neither(string point, bool swapped)
    {
        var data = _temp.Sub(point);
        await (await TestNode.StartAsync(data)).DisposeAsync();
        var oldIssuing = File.ReadAllText(Path.Combine(data, "ca-issuing.crt.pem"));

        var (exitCode, output) = await RunningProcess.RunAsync("dotnet", [RampartCli.Dll, "ca", "rollover", "--data", data], RampartCli.Patience,
            environment: new Dictionary<string, string> { [CrashPoint.Variable] = point });

        // Killed mid-way: it never printed its result, and the prepared certificate is still on disk.
        Assert.True(exitCode != 0, output);
        Assert.DoesNotContain("issuing CA rolled over", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(data, "ca-issuing-next.crt.pem")));

        string issuingSubject, issuingSha256;
        string? previousSubject;
        List<AuditEntry> rolledOver;
        await using (var node = await OfflineNode.OpenAsync(data, CancellationToken.None))
        {
            var authority = node.Keys.Authority;
            (issuingSubject, issuingSha256, previousSubject) = (authority.Issuing.Subject, NodeKeyring.Fingerprint(authority.Issuing), authority.Previous?.Issuing.Subject);
            rolledOver = [];
            await foreach (var entry in node.Services.GetRequiredService<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None))
            {
                if (entry.Action == CaRollover.RolledOverAction)
                {
                    rolledOver.Add(entry);
                }
            }
        }

        Assert.False(File.Exists(Path.Combine(data, "ca-issuing-next.crt.pem")));
        if (swapped)
        {
            var entry = Assert.Single(rolledOver);
            using var details = JsonDocument.Parse(entry.Details);
            Assert.Equal(issuingSha256, details.RootElement.GetProperty("new-sha256").GetString());
            Assert.Equal(issuingSubject, details.RootElement.GetProperty("new").GetString());
            Assert.Equal(details.RootElement.GetProperty("previous").GetString(), previousSubject);
            Assert.NotEqual(oldIssuing, File.ReadAllText(Path.Combine(data, "ca-issuing.crt.pem")));

            // The new issuing CA chains to the same root for openssl too.
            var verified = await RunningProcess.RunAsync("openssl",
                ["verify", "-CAfile", Path.Combine(data, "ca-root.crt.pem"), Path.Combine(data, "ca-issuing.crt.pem")], RampartCli.Patience);
            Assert.True(verified.ExitCode == 0, verified.Output);
        }
        else
        {
            Assert.Empty(rolledOver);
            Assert.Null(previousSubject);
            Assert.Equal(oldIssuing, File.ReadAllText(Path.Combine(data, "ca-issuing.crt.pem")));
            Assert.False(File.Exists(Path.Combine(data, "ca-rollover-next.json")));
        }

        var verify = await RampartCli.RunAsync("audit", "verify", "--data", data);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("audit log intact", verify.Output, StringComparison.Ordinal);
        Assert.Matches(@"[1-9][0-9]* of them also by ML-DSA-65", verify.Output);

        // After a discarded rollover a new one runs normally (nothing half-prepared is left in its way).
        if (!swapped)
        {
            var again = await RampartCli.RunAsync("ca", "rollover", "--data", data);
            Assert.True(again.ExitCode == 0, again.Output);
            Assert.Contains("issuing CA rolled over", again.Output, StringComparison.Ordinal);
        }
    }
}
