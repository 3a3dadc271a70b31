using Rampart.Detection.Export;
using Rampart.Storage.Export;
using Rampart.Storage.Migrations;
using Rampart.Storage.Sqlite;
using Rampart.Testing;

namespace Rampart.Detection.Tests.Export;

public sealed class OutboxTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new();
    private SqliteExportOutbox _outbox = null!;

    public async Task InitializeAsync()
    {
        var database = new SqliteDatabase(_temp.Sub("rampart.db"));
        await new MigrationRunner(database).ApplyAsync();
        _outbox = new SqliteExportOutbox(database);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    private static OutboxEntry[] Records(string destination, int from, int count) =>
        Enumerable.Range(from, count).Select(i => new OutboxEntry(destination, $"event-{i}", $"{{\"n\":{i}}}")).ToArray();

    [Fact]
    public async Task A_round_repeated_after_a_crash_queues_nothing_twice_and_moves_the_cursor_with_the_rows()
    {
        var bounds = new OutboxBounds(100, TimeSpan.FromDays(1));

        await _outbox.EnqueueAsync(OutboxSources.SecurityEvents, 3, Records("webhook:a", 1, 3), bounds, Now, CancellationToken.None);
        await _outbox.EnqueueAsync(OutboxSources.SecurityEvents, 3, Records("webhook:a", 1, 3), bounds, Now, CancellationToken.None);

        var queued = await _outbox.PeekAsync("webhook:a", 10, CancellationToken.None);
        Assert.Equal(["event-1", "event-2", "event-3"], queued.Select(item => item.RecordId));
        Assert.Equal(3, await _outbox.GetCursorAsync(OutboxSources.SecurityEvents, CancellationToken.None));
        Assert.Equal(0, await _outbox.GetCursorAsync(OutboxSources.AuditCheckpoints, CancellationToken.None));
    }

    [Fact]
    public async Task A_full_destination_drops_its_oldest_records_and_counts_them_without_touching_another()
    {
        var bounds = new OutboxBounds(3, TimeSpan.FromDays(1));

        var first = await _outbox.EnqueueAsync(OutboxSources.SecurityEvents, 5, [.. Records("webhook:a", 1, 5), .. Records("syslog:b", 1, 2)], bounds, Now, CancellationToken.None);
        var second = await _outbox.EnqueueAsync(OutboxSources.SecurityEvents, 6, Records("webhook:a", 6, 1), bounds, Now, CancellationToken.None);

        Assert.Equal(2, first["webhook:a"]);
        Assert.False(first.ContainsKey("syslog:b"));
        Assert.Equal(1, second["webhook:a"]);
        Assert.Equal(["event-4", "event-5", "event-6"], (await _outbox.PeekAsync("webhook:a", 10, CancellationToken.None)).Select(item => item.RecordId));
        var status = (await _outbox.StatusAsync(CancellationToken.None)).ToDictionary(s => s.Destination);
        Assert.Equal((3, 3), (status["webhook:a"].Queued, status["webhook:a"].Dropped));
        Assert.Equal((2, 0), (status["syslog:b"].Queued, status["syslog:b"].Dropped));
    }

    [Fact]
    public async Task Records_that_waited_longer_than_the_maximum_age_are_dropped_and_counted()
    {
        var bounds = new OutboxBounds(100, TimeSpan.FromHours(1));
        await _outbox.EnqueueAsync(OutboxSources.SecurityEvents, 2, Records("webhook:a", 1, 2), bounds, Now, CancellationToken.None);
        await _outbox.EnqueueAsync(OutboxSources.SecurityEvents, 3, Records("webhook:a", 3, 1), bounds, Now.AddMinutes(50), CancellationToken.None);

        var early = await _outbox.ExpireAsync(bounds, Now.AddMinutes(59), CancellationToken.None);
        var late = await _outbox.ExpireAsync(bounds, Now.AddMinutes(61), CancellationToken.None);

        Assert.Empty(early);
        Assert.Equal(2, late["webhook:a"]);
        Assert.Equal(["event-3"], (await _outbox.PeekAsync("webhook:a", 10, CancellationToken.None)).Select(item => item.RecordId));
    }

    [Fact]
    public async Task Delivered_records_leave_the_queue_in_order_and_a_failure_is_kept_until_the_next_success()
    {
        var bounds = new OutboxBounds(100, TimeSpan.FromDays(1));
        await _outbox.EnqueueAsync(OutboxSources.SecurityEvents, 4, Records("webhook:a", 1, 4), bounds, Now, CancellationToken.None);
        var queued = await _outbox.PeekAsync("webhook:a", 10, CancellationToken.None);

        await _outbox.MarkFailedAsync("webhook:a", "answered 503", Now.AddSeconds(2), Now, CancellationToken.None);
        var failing = (await _outbox.StatusAsync(CancellationToken.None)).Single();
        await _outbox.MarkDeliveredAsync("webhook:a", queued[1].Id, 2, Now.AddSeconds(3), CancellationToken.None);
        var recovered = (await _outbox.StatusAsync(CancellationToken.None)).Single();

        Assert.Equal((1, "answered 503", Now.AddSeconds(2)), (failing.FailedAttempts, failing.LastError, failing.NextAttempt));
        Assert.Equal((2L, 2L, 0, (DateTimeOffset?)null), (recovered.Queued, recovered.Delivered, recovered.FailedAttempts, recovered.NextAttempt));
        Assert.Equal(["event-3", "event-4"], (await _outbox.PeekAsync("webhook:a", 10, CancellationToken.None)).Select(item => item.RecordId));
    }
}
