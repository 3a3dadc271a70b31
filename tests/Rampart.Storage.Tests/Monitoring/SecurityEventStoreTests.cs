using Microsoft.Data.Sqlite;
using Rampart.Fleet.Monitoring;
using Rampart.Storage.Migrations;
using Rampart.Storage.Monitoring;
using Rampart.Storage.Sqlite;
using Rampart.Testing;

namespace Rampart.Storage.Tests.Monitoring;

public sealed class SecurityEventStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();
    private SqliteSecurityEventStore _store = null!;

    public async Task InitializeAsync()
    {
        var database = new SqliteDatabase(_directory.Sub("events.db"));
        await new MigrationRunner(database).ApplyAsync();
        _store = new SqliteSecurityEventStore(database);
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
        return Task.CompletedTask;
    }

    private static SecurityEvent At(int day, string kind, string? device = "d1") =>
        new(Start.AddDays(day), kind, SecuritySeverity.Info, device, "10.0.0.1", new Dictionary<string, string> { ["day"] = day.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    [Fact]
    public async Task A_batch_is_stored_in_order_and_a_reader_continues_after_the_last_id_it_saw()
    {
        await _store.AppendManyAsync([At(0, "a"), At(1, "b"), At(2, "c", device: "d2")], CancellationToken.None);

        var newest = await _store.ListAsync(null, 10, CancellationToken.None);
        Assert.Equal(["c", "b", "a"], newest.Select(e => e.Event.Kind));
        var afterFirst = await _store.ListAfterAsync(newest[^1].Id, null, 10, CancellationToken.None);
        Assert.Equal(["b", "c"], afterFirst.Select(e => e.Event.Kind));
        Assert.Equal(["b"], (await _store.ListAfterAsync(newest[^1].Id, "d1", 10, CancellationToken.None)).Select(e => e.Event.Kind));
        Assert.Equal("2", newest[0].Event.Details["day"]);
    }

    [Fact]
    public async Task Retention_deletes_only_events_older_than_the_cutoff()
    {
        await _store.AppendManyAsync([At(0, "old"), At(10, "kept"), At(20, "new")], CancellationToken.None);

        Assert.Equal(1, await _store.DeleteOlderThanAsync(Start.AddDays(5), CancellationToken.None));

        Assert.Equal(["new", "kept"], (await _store.ListAsync(null, 10, CancellationToken.None)).Select(e => e.Event.Kind));
    }
}
