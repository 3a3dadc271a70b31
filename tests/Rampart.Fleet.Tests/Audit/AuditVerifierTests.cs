using System.Security.Cryptography;
using Rampart.Fleet.Audit;

namespace Rampart.Fleet.Tests.Audit;

public sealed class AuditVerifierTests
{
    [Fact]
    public async Task An_untouched_log_verifies_with_every_checkpoint()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 10);
        await log.WriteAsync(35);

        var result = await log.VerifyAsync();

        Assert.True(result.IsIntact, result.Problem);
        Assert.Equal(35, result.EntriesVerified);
        Assert.Equal(4, result.CheckpointsVerified); // at 10, 20, 30 and the final one at 35
    }

    [Fact]
    public async Task An_edited_entry_is_named()
    {
        await using var log = await AuditTestLog.CreateAsync();
        await log.WriteAsync(30);

        await log.TamperAsync("UPDATE audit_entries SET actor = 'someone-else' WHERE seq = 17");
        var result = await log.VerifyAsync();

        Assert.Equal(17, result.FirstBadSequence);
        Assert.Contains("edited", result.Problem, StringComparison.Ordinal);
        Assert.Equal(16, result.EntriesVerified);
    }

    [Fact]
    public async Task An_edited_entry_whose_hash_was_recomputed_is_named()
    {
        await using var log = await AuditTestLog.CreateAsync();
        await log.WriteAsync(30);

        await log.RewriteEntryAsync(17, "someone-else", relinkFollowing: false);
        var result = await log.VerifyAsync();

        Assert.Equal(17, result.FirstBadSequence);
        Assert.Contains("rewritten", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rewritten_tail_without_the_audit_key_is_caught_by_the_next_checkpoint()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 10);
        await log.WriteAsync(30);

        // Every later entry relinked with recomputed hashes: only the signed checkpoint at 20 can tell.
        await log.RewriteEntryAsync(14, "someone-else", relinkFollowing: true);
        var result = await log.VerifyAsync();

        Assert.False(result.IsIntact);
        Assert.Equal(11, result.FirstBadSequence);
        Assert.Contains("checkpoint signed at entry 20", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_entry_is_named()
    {
        await using var log = await AuditTestLog.CreateAsync();
        await log.WriteAsync(30);

        await log.TamperAsync("DELETE FROM audit_entries WHERE seq = 17");
        var result = await log.VerifyAsync();

        Assert.Equal(17, result.FirstBadSequence);
        Assert.Contains("missing", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reordered_entries_are_named()
    {
        await using var log = await AuditTestLog.CreateAsync();
        await log.WriteAsync(30);

        await log.TamperAsync("UPDATE audit_entries SET seq = -1 WHERE seq = 17; UPDATE audit_entries SET seq = 17 WHERE seq = 18; UPDATE audit_entries SET seq = 18 WHERE seq = -1;");
        var result = await log.VerifyAsync();

        Assert.Equal(17, result.FirstBadSequence);
    }

    [Fact]
    public async Task A_log_truncated_below_its_last_checkpoint_is_named()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 10);
        await log.WriteAsync(30);

        await log.TamperAsync("DELETE FROM audit_entries WHERE seq > 25");
        var result = await log.VerifyAsync();

        Assert.Equal(26, result.FirstBadSequence);
        Assert.Contains("truncated", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_checkpoint_is_refused()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 10);
        await log.WriteAsync(20);

        await log.TamperAsync("UPDATE audit_checkpoints SET time_ms = time_ms + 1 WHERE seq = 10");
        var result = await log.VerifyAsync();

        Assert.Equal(10, result.FirstBadSequence);
        Assert.Contains("not signed", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkpoints_do_not_verify_against_another_key()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 10);
        await log.WriteAsync(12);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var result = await new AuditVerifier(otherKey).VerifyAsync(log.Store);

        Assert.False(result.IsIntact);
        Assert.Contains("not signed by audit key", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_log_verifies()
    {
        await using var log = await AuditTestLog.CreateAsync();

        var result = await log.VerifyAsync();

        Assert.True(result.IsIntact);
        Assert.Equal(0, result.EntriesVerified);
    }
}
