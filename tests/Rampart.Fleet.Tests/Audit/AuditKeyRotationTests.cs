using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Rampart.Fleet.Audit;

namespace Rampart.Fleet.Tests.Audit;

/// <summary>
/// A log that changes audit keys part-way (<see cref="AuditKeyRotation"/>): the old key checkpoints the
/// hand-over entry, the new key signs from then on; a verifier trusting either key verifies all of it,
/// and a hand-over the old key did not sign, or a key the log never used, does not verify.
/// </summary>
public sealed class AuditKeyRotationTests
{
    [Fact]
    public async Task A_log_that_rotated_its_key_verifies_with_the_old_key_and_with_the_new_one()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 5);
        using var next = new AuditSigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        await log.WriteAsync(12);
        await RotateAsync(log, log.Key, next);
        await WriteAsync(log, next, 9);

        using var oldPublic = log.Key.ExportPublic();
        using var newPublic = next.ExportPublic();
        var withOld = await new AuditVerifier(oldPublic).VerifyAsync(log.Store);
        var withNew = await new AuditVerifier(newPublic).VerifyAsync(log.Store);

        Assert.True(withOld.IsIntact, withOld.Problem);
        Assert.True(withNew.IsIntact, withNew.Problem);
        Assert.Equal(22, withNew.EntriesVerified);
        Assert.Equal(withOld.CheckpointsVerified, withNew.CheckpointsVerified);
        Assert.True(withNew.CheckpointsVerified >= 5);
        var checkpoints = await ToListAsync(log.Store.ReadCheckpointsAsync(CancellationToken.None));
        Assert.Equal(log.Key.KeyId, checkpoints.Single(c => c.Sequence == 13).KeyId);
        Assert.Equal(next.KeyId, checkpoints[^1].KeyId);

        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var withStranger = await new AuditVerifier(stranger).VerifyAsync(log.Store);
        Assert.False(withStranger.IsIntact);
        Assert.Contains("is not one of the keys this log was signed with", withStranger.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_entry_edited_before_the_rotation_is_caught_by_the_new_keys_verifier()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 5);
        using var next = new AuditSigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        await log.WriteAsync(12);
        await RotateAsync(log, log.Key, next);
        await WriteAsync(log, next, 4);

        await log.TamperAsync("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 3");
        using var newPublic = next.ExportPublic();
        var result = await new AuditVerifier(newPublic).VerifyAsync(log.Store);

        Assert.Equal(3, result.FirstBadSequence);
    }

    [Fact]
    public async Task A_hand_over_to_a_key_the_old_key_did_not_checkpoint_is_refused()
    {
        // Someone with the database but not the audit key names their own key as the next one and signs on with it.
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 5);
        using var mallory = new AuditSigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        await log.WriteAsync(10);
        await RotateAsync(log, writer: mallory, from: log.Key, to: mallory);
        await WriteAsync(log, mallory, 6);

        using var oldPublic = log.Key.ExportPublic();
        using var malloryPublic = mallory.ExportPublic();
        var withOld = await new AuditVerifier(oldPublic).VerifyAsync(log.Store);
        var withMallory = await new AuditVerifier(malloryPublic).VerifyAsync(log.Store);

        Assert.Equal(11, withOld.FirstBadSequence);
        Assert.Contains("is not signed by audit key", withOld.Problem, StringComparison.Ordinal);
        Assert.Equal(11, withMallory.FirstBadSequence);
    }

    [Fact]
    public async Task A_hand_over_without_the_old_keys_checkpoint_at_it_is_not_vouched_for()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 100);
        using var next = new AuditSigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        await log.WriteAsync(4);
        await RotateAsync(log, log.Key, next);
        await log.TamperAsync("DELETE FROM audit_checkpoints WHERE seq = 5");
        await WriteAsync(log, next, 3);

        using var oldPublic = log.Key.ExportPublic();
        var result = await new AuditVerifier(oldPublic).VerifyAsync(log.Store);

        Assert.Equal(5, result.FirstBadSequence);
        Assert.Contains("is not vouched for", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_key_that_has_not_signed_yet_points_to_the_key_before_it()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 5);
        using var next = new AuditSigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        await log.WriteAsync(7);
        await RotateAsync(log, log.Key, next);

        using var newPublic = next.ExportPublic();
        var result = await new AuditVerifier(newPublic).VerifyAsync(log.Store);

        Assert.False(result.IsIntact);
        Assert.Contains("has not signed a checkpoint yet", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_on_the_new_key_covers_entries_left_after_the_old_keys_last_checkpoint()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 100);
        using var next = new AuditSigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        await log.WriteAsync(3);
        await RotateAsync(log, log.Key, next);

        // A crash: entries written by the new key, no checkpoint over them.
        var crashed = Writer(log, next);
        await crashed.StartAsync(CancellationToken.None);
        await crashed.AppendAsync(AuditTestLog.Record(1));
        await crashed.AppendAsync(AuditTestLog.Record(2));
        Assert.Equal(4, (await log.Store.GetLastCheckpointAsync(CancellationToken.None))!.Sequence);

        // The restarted writer checks the tail from the old key's checkpoint (the hand-over) and signs over it.
        var restarted = Writer(log, next);
        await restarted.StartAsync(CancellationToken.None);
        var last = await log.Store.GetLastCheckpointAsync(CancellationToken.None);
        await restarted.StopAsync();

        Assert.Equal((6L, next.KeyId), (last!.Sequence, last.KeyId));
        using var newPublic = next.ExportPublic();
        Assert.True((await new AuditVerifier(newPublic).VerifyAsync(log.Store)).IsIntact);
    }

    private static AuditLog Writer(AuditTestLog log, AuditSigningKey key) =>
        new(log.Store, key, log.Clock, Microsoft.Extensions.Options.Options.Create(log.Options), NullLogger<AuditLog>.Instance);

    // What AuditKeyRotator does on a node: the hand-over entry, then the writer stops (a checkpoint at it).
    private static async Task RotateAsync(AuditTestLog log, AuditSigningKey from, AuditSigningKey to, AuditSigningKey? writer = null)
    {
        var audit = Writer(log, writer ?? from);
        await audit.StartAsync(CancellationToken.None);
        using var fromPublic = from.ExportPublic();
        using var toPublic = to.ExportPublic();
        await audit.AppendAsync(AuditKeyRotation.Record("operator", fromPublic, toPublic));
        await audit.StopAsync();
    }

    private static async Task WriteAsync(AuditTestLog log, AuditSigningKey key, int count)
    {
        var audit = Writer(log, key);
        await audit.StartAsync(CancellationToken.None);
        for (var i = 1; i <= count; i++)
        {
            await audit.AppendAsync(AuditTestLog.Record(i));
        }

        await audit.StopAsync();
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
