using Rampart.Testing;
using Rampart.Testing.Crash;
using Xunit.Abstractions;

namespace Rampart.Server.Tests.Crash;

/// <summary>
/// SIGKILL at random points during concurrent durable operations on a real node, restart, and the
/// invariants of <see cref="CrashInvariants"/> hold (issue 13, "Crash safety everywhere"). Each test
/// is bounded by rounds and a time budget; the long run is <c>Rampart.Bench crash</c>.
/// </summary>
public sealed class KillDuringOperationsTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_kill_9_during_concurrent_enrollments_leaves_no_certificate_without_its_audit_entry_and_loses_nothing_acknowledged()
    {
        var report = await CrashHarness.RunAsync(_temp.Sub("data"),
            new CrashOptions(CrashOperation.Enroll, Rounds: 4, MinimumRounds: 3, Budget: TimeSpan.FromSeconds(40), Seed: 12), output.WriteLine);

        Assert.True(report.Violations.Count == 0, string.Join("\n", report.Violations));
        Assert.Matches(@"issued [1-9]", report.Acknowledged);
    }

    [Fact]
    public async Task A_kill_9_during_renewals_revocations_quarantines_retirements_and_token_changes_leaves_every_change_audited()
    {
        var report = await CrashHarness.RunAsync(_temp.Sub("data"),
            new CrashOptions(CrashOperation.All, Rounds: 4, MinimumRounds: 3, Budget: TimeSpan.FromSeconds(40), Seed: 13), output.WriteLine);

        Assert.True(report.Violations.Count == 0, string.Join("\n", report.Violations));
        Assert.Matches(@"issued [1-9]", report.Acknowledged);
    }

    [Fact]
    public async Task A_kill_9_during_release_uploads_and_creation_leaves_no_release_without_its_audit_entry_and_loses_none_acknowledged()
    {
        var report = await CrashHarness.RunAsync(_temp.Sub("data"),
            new CrashOptions(CrashOperation.Release, Rounds: 4, MinimumRounds: 3, Budget: TimeSpan.FromSeconds(40), Workers: 4, MaxAcknowledgementsPerRound: 20, Seed: 14),
            output.WriteLine);

        Assert.True(report.Violations.Count == 0, string.Join("\n", report.Violations));
        Assert.Matches(@"releases [1-9]", report.Acknowledged);
    }

    [Fact]
    public async Task A_kill_9_during_four_eyes_promotions_and_rollout_moves_leaves_every_state_with_its_audit_entry_and_loses_none_acknowledged()
    {
        var report = await CrashHarness.RunAsync(_temp.Sub("data"),
            new CrashOptions(CrashOperation.Updates, Rounds: 5, MinimumRounds: 3, Budget: TimeSpan.FromSeconds(60), Workers: 4, MaxAcknowledgementsPerRound: 40, Seed: 15),
            output.WriteLine);

        Assert.True(report.Violations.Count == 0, string.Join("\n", report.Violations));
        Assert.Matches(@"promoted [1-9]", report.Acknowledged);
        Assert.Matches(@"rollouts [1-9]", report.Acknowledged);
    }
}
