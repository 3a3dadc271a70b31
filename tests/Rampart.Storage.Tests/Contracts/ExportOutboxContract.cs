using Rampart.Detection.Export;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>The export outbox (docs/export.md), the same on every provider, also with two nodes enqueueing at once.</summary>
public abstract class ExportOutboxContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private IExportOutbox Outbox => Stores.ExportOutbox;

    private static OutboxEntry[] Records(string destination, int from, int count) =>
        Enumerable.Range(from, count).Select(i => new OutboxEntry(destination, $"event-{i}", $"{{\"n\":{i}}}")).ToArray();

    [Fact]
    public async Task A_round_repeated_after_a_crash_queues_nothing_twice_and_moves_the_cursor_with_the_rows()
    {
        var bounds = new OutboxBounds(100, TimeSpan.FromDays(1));

        await Outbox.EnqueueAsync(OutboxSources.SecurityEvents, 0, 3, Records("webhook:a", 1, 3), bounds, Now, CancellationToken.None);
        await Outbox.EnqueueAsync(OutboxSources.SecurityEvents, 0, 3, Records("webhook:a", 1, 3), bounds, Now, CancellationToken.None);

        var queued = await Outbox.PeekAsync("webhook:a", 10, CancellationToken.None);
        Assert.Equal(["event-1", "event-2", "event-3"], queued.Select(item => item.RecordId));
        Assert.Equal(["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"], queued.Select(item => item.Payload));
        Assert.All(queued, item => Assert.Equal(Now, item.Enqueued));
        Assert.Equal(3, await Outbox.GetCursorAsync(OutboxSources.SecurityEvents, CancellationToken.None));
        Assert.Equal(0, await Outbox.GetCursorAsync(OutboxSources.AuditCheckpoints, CancellationToken.None));
    }

    [Fact]
    public async Task A_round_read_before_a_later_one_was_enqueued_does_not_move_the_cursor_back()
    {
        var bounds = new OutboxBounds(100, TimeSpan.FromDays(1));

        await Outbox.EnqueueAsync(OutboxSources.SecurityEvents, 0, 6, Records("webhook:a", 1, 6), bounds, Now, CancellationToken.None);
        await Outbox.EnqueueAsync(OutboxSources.SecurityEvents, 0, 3, Records("webhook:a", 1, 3), bounds, Now, CancellationToken.None);

        Assert.Equal(6, await Outbox.GetCursorAsync(OutboxSources.SecurityEvents, CancellationToken.None));
        Assert.Equal(6, (await Outbox.PeekAsync("webhook:a", 10, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_round_read_before_another_node_enqueued_and_delivered_the_same_records_adds_nothing_back()
    {
        var bounds = new OutboxBounds(100, TimeSpan.FromDays(1));

        // Node A enqueues events 1-3 and delivers them; node B read the same round from cursor 0 meanwhile.
        await Outbox.EnqueueAsync(OutboxSources.SecurityEvents, 0, 3, Records("webhook:a", 1, 3), bounds, Now, CancellationToken.None);
        var queued = await Outbox.PeekAsync("webhook:a", 10, CancellationToken.None);
        await Outbox.MarkDeliveredAsync("webhook:a", queued[^1].Id, 3, Now, CancellationToken.None);
        await Outbox.EnqueueAsync(OutboxSources.SecurityEvents, 0, 3, Records("webhook:a", 1, 3), bounds, Now, CancellationToken.None);

        Assert.Empty(await Outbox.PeekAsync("webhook:a", 10, CancellationToken.None));
        Assert.Equal(3, await Outbox.GetCursorAsync(OutboxSources.SecurityEvents, CancellationToken.None));
    }

    [Fact]
    public async Task A_full_destination_drops_its_oldest_records_and_counts_them_without_touching_another()
    {
        var bounds = new OutboxBounds(3, TimeSpan.FromDays(1));

        var first = await Outbox.EnqueueAsync(OutboxSources.SecurityEvents, 0, 5, [.. Records("webhook:a", 1, 5), .. Records("syslog:b", 1, 2)], bounds, Now, CancellationToken.None);
        var second = await Outbox.EnqueueAsync(OutboxSources.SecurityEvents, 5, 6, Records("webhook:a", 6, 1), bounds, Now, CancellationToken.None);

        Assert.Equal(2, first["webhook:a"]);
        Assert.False(first.ContainsKey("syslog:b"));
        Assert.Equal(1, second["webhook:a"]);
        Assert.Equal(["event-4", "event-5", "event-6"], (await Outbox.PeekAsync("webhook:a", 10, CancellationToken.None)).Select(item => item.RecordId));
        var status = await Outbox.StatusAsync(CancellationToken.None);
        Assert.Equal(["syslog:b", "webhook:a"], status.Select(s => s.Destination));
        var byName = status.ToDictionary(s => s.Destination);
        Assert.Equal((3, 3), (byName["webhook:a"].Queued, byName["webhook:a"].Dropped));
        Assert.Equal((2, 0), (byName["syslog:b"].Queued, byName["syslog:b"].Dropped));
    }

    [Fact]
    public async Task A_flood_of_events_drops_events_but_never_the_audit_checkpoints_which_have_a_bound_of_their_own()
    {
        var bounds = new OutboxBounds(3, TimeSpan.FromDays(1), MaxCheckpointRows: 2);
        var checkpoints = Enumerable.Range(1, 3).Select(i => new OutboxEntry("syslog:a", ExportRecord.CheckpointIdPrefix + i, "{}")).ToArray();

        await Outbox.EnqueueAsync(OutboxSources.AuditCheckpoints, 0, 2, checkpoints[..2], bounds, Now, CancellationToken.None);
        var flood = await Outbox.EnqueueAsync(OutboxSources.SecurityEvents, 0, 50, Records("syslog:a", 1, 50), bounds, Now, CancellationToken.None);
        var third = await Outbox.EnqueueAsync(OutboxSources.AuditCheckpoints, 2, 3, checkpoints[2..], bounds, Now, CancellationToken.None);

        Assert.Equal(47, flood["syslog:a"]);
        Assert.Equal(1, third["syslog:a"]);
        Assert.Equal(["checkpoint-2", "event-48", "event-49", "event-50", "checkpoint-3"],
            (await Outbox.PeekAsync("syslog:a", 10, CancellationToken.None)).Select(item => item.RecordId));
    }

    [Fact]
    public async Task Records_that_waited_longer_than_the_maximum_age_are_dropped_and_counted()
    {
        var bounds = new OutboxBounds(100, TimeSpan.FromHours(1));
        await Outbox.EnqueueAsync(OutboxSources.SecurityEvents, 0, 2, Records("webhook:a", 1, 2), bounds, Now, CancellationToken.None);
        await Outbox.EnqueueAsync(OutboxSources.SecurityEvents, 2, 3, Records("webhook:a", 3, 1), bounds, Now.AddMinutes(50), CancellationToken.None);

        var early = await Outbox.ExpireAsync(bounds, Now.AddMinutes(59), CancellationToken.None);
        var late = await Outbox.ExpireAsync(bounds, Now.AddMinutes(61), CancellationToken.None);

        Assert.Empty(early);
        Assert.Equal(2, late["webhook:a"]);
        Assert.Equal(["event-3"], (await Outbox.PeekAsync("webhook:a", 10, CancellationToken.None)).Select(item => item.RecordId));
        Assert.Equal(2, (await Outbox.StatusAsync(CancellationToken.None)).Single().Dropped);
    }

    [Fact]
    public async Task Delivered_records_leave_the_queue_in_order_and_a_failure_is_kept_until_the_next_success()
    {
        var bounds = new OutboxBounds(100, TimeSpan.FromDays(1));
        await Outbox.EnqueueAsync(OutboxSources.SecurityEvents, 0, 4, Records("webhook:a", 1, 4), bounds, Now, CancellationToken.None);
        var queued = await Outbox.PeekAsync("webhook:a", 10, CancellationToken.None);

        await Outbox.MarkFailedAsync("webhook:a", "answered 503", Now.AddSeconds(2), Now, CancellationToken.None);
        var failing = (await Outbox.StatusAsync(CancellationToken.None)).Single();
        await Outbox.MarkDeliveredAsync("webhook:a", queued[1].Id, 2, Now.AddSeconds(3), CancellationToken.None);
        var recovered = (await Outbox.StatusAsync(CancellationToken.None)).Single();

        Assert.Equal((1, "answered 503", Now.AddSeconds(2), (DateTimeOffset?)Now), (failing.FailedAttempts, failing.LastError, failing.NextAttempt, failing.LastErrorTime));
        Assert.Equal((2L, 2L, 0, (DateTimeOffset?)null), (recovered.Queued, recovered.Delivered, recovered.FailedAttempts, recovered.NextAttempt));
        Assert.Equal(Now.AddSeconds(3), recovered.LastDelivered);
        Assert.Equal(["event-3", "event-4"], (await Outbox.PeekAsync("webhook:a", 10, CancellationToken.None)).Select(item => item.RecordId));
    }

    [Fact]
    public async Task Two_nodes_enqueueing_the_same_rounds_at_once_queue_each_record_once_per_destination_in_order()
    {
        const int Rounds = 8;
        const int PerRound = 400;
        var bounds = new OutboxBounds(10_000, TimeSpan.FromDays(1));
        await using var second = Provider.OpenSecondNode();

        // Each node lists the destinations in another order, so rows of one round are taken in opposite
        // orders: rounds large enough to overlap deadlock on PostgreSQL unless the writers take the outbox lock.
        OutboxEntry[] Round(int round, bool reversed)
        {
            var from = (round * PerRound) + 1;
            OutboxEntry[] a = Records("webhook:a", from, PerRound), b = Records("syslog:b", from, PerRound);
            return reversed ? [.. b, .. a] : [.. a, .. b];
        }

        for (var round = 0; round < Rounds; round++)
        {
            var (after, cursor) = (round * (long)PerRound, (round + 1L) * PerRound);
            var first = Round(round, reversed: false);
            var other = Round(round, reversed: true);
            await Task.WhenAll(
                Task.Run(() => Stores.ExportOutbox.EnqueueAsync(OutboxSources.SecurityEvents, after, cursor, first, bounds, Now, CancellationToken.None)),
                Task.Run(() => second.ExportOutbox.EnqueueAsync(OutboxSources.SecurityEvents, after, cursor, other, bounds, Now, CancellationToken.None)));
        }

        var expected = Enumerable.Range(1, Rounds * PerRound).Select(i => $"event-{i}").ToArray();
        foreach (var destination in new[] { "webhook:a", "syslog:b" })
        {
            var queued = await Outbox.PeekAsync(destination, 10_000, CancellationToken.None);
            Assert.Equal(expected, queued.Select(item => item.RecordId));
            Assert.Equal(queued.Select(item => item.Id).Order(), queued.Select(item => item.Id));
        }

        Assert.Equal(Rounds * PerRound, await second.ExportOutbox.GetCursorAsync(OutboxSources.SecurityEvents, CancellationToken.None));
        Assert.All(await Outbox.StatusAsync(CancellationToken.None), status => Assert.Equal((Rounds * PerRound, 0L), (status.Queued, status.Dropped)));
    }
}
