using Rampart.Fleet.Audit;

namespace Rampart.Fleet.Tests.Audit;

public sealed class AuditLogTests
{
    [Fact]
    public async Task Concurrent_appends_form_one_contiguous_chain()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 100);
        var writer = log.NewWriter();
        await writer.StartAsync(CancellationToken.None);

        var entries = await Task.WhenAll(Enumerable.Range(1, 500).Select(i => Task.Run(() => writer.AppendAsync(AuditTestLog.Record(i)))));
        await writer.StopAsync();

        Assert.Equal(Enumerable.Range(1, 500).Select(i => (long)i), entries.Select(e => e.Sequence).Order());
        var result = await log.VerifyAsync();
        Assert.True(result.IsIntact, result.Problem);
        Assert.Equal(500, result.EntriesVerified);
    }

    [Fact]
    public async Task A_returned_entry_is_already_stored()
    {
        await using var log = await AuditTestLog.CreateAsync();
        var writer = log.NewWriter();
        await writer.StartAsync(CancellationToken.None);

        var entry = await writer.AppendAsync(new AuditRecord("local-admin", "setup-token.rotated", "setup-token/1", AuditOutcome.Success));
        var stored = await log.Store.GetLastEntryAsync(CancellationToken.None);
        await writer.StopAsync();

        Assert.NotNull(stored);
        Assert.Equal(entry.Sequence, stored.Sequence);
        Assert.Equal(entry.Hash, stored.Hash);
        Assert.Equal("local-admin", stored.Actor);
    }

    [Fact]
    public async Task A_restarted_writer_continues_the_chain()
    {
        await using var log = await AuditTestLog.CreateAsync();
        await log.WriteAsync(5);
        await log.WriteAsync(5);

        var result = await log.VerifyAsync();

        Assert.True(result.IsIntact, result.Problem);
        Assert.Equal(10, result.EntriesVerified);
    }

    [Fact]
    public async Task After_a_crash_the_next_start_signs_a_checkpoint_over_the_unsigned_tail()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 1000);
        var crashed = log.NewWriter();
        await crashed.StartAsync(CancellationToken.None);
        for (var i = 1; i <= 7; i++)
        {
            await crashed.AppendAsync(AuditTestLog.Record(i));
        }

        // No StopAsync: the process died. Nothing signs entries 1..7 until the next start.
        Assert.Null(await log.Store.GetLastCheckpointAsync(CancellationToken.None));
        var next = log.NewWriter();
        await next.StartAsync(CancellationToken.None);

        var checkpoint = await log.Store.GetLastCheckpointAsync(CancellationToken.None);
        Assert.NotNull(checkpoint);
        Assert.Equal(7, checkpoint.Sequence);
        await next.StopAsync();
    }

    [Fact]
    public async Task A_tail_tampered_while_stopped_is_not_signed_at_the_next_start()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 1000);
        var crashed = log.NewWriter();
        await crashed.StartAsync(CancellationToken.None);
        for (var i = 1; i <= 7; i++)
        {
            await crashed.AppendAsync(AuditTestLog.Record(i));
        }

        await log.TamperAsync("UPDATE audit_entries SET target = 'device/hidden' WHERE seq = 4");
        var next = log.NewWriter();
        await next.StartAsync(CancellationToken.None);

        Assert.Null(await log.Store.GetLastCheckpointAsync(CancellationToken.None));
        Assert.Equal(4, (await log.VerifyAsync()).FirstBadSequence);
        await next.StopAsync();
    }

    [Fact]
    public async Task Appending_after_stop_is_refused()
    {
        await using var log = await AuditTestLog.CreateAsync();
        var writer = log.NewWriter();
        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.AppendAsync(AuditTestLog.Record(1)));
        Assert.Contains("stopped", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_record_is_refused_and_nothing_is_written()
    {
        await using var log = await AuditTestLog.CreateAsync();
        var writer = log.NewWriter();
        await writer.StartAsync(CancellationToken.None);

        await Assert.ThrowsAsync<ArgumentException>(() =>
            writer.AppendAsync(new AuditRecord("a", "b", new string('x', AuditLog.MaxFieldLength + 1), AuditOutcome.Success)));
        await writer.StopAsync();

        Assert.Null(await log.Store.GetLastEntryAsync(CancellationToken.None));
    }
}
