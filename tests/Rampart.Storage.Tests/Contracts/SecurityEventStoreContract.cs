using Rampart.Fleet.Monitoring;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>Security events, the same on every provider.</summary>
public abstract class SecurityEventStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    private static SecurityEvent At(int day, string kind, string? device = "d1") =>
        new(Start.AddDays(day), kind, SecuritySeverity.Info, device, "10.0.0.1", new Dictionary<string, string> { ["day"] = day.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    [Fact]
    public async Task A_batch_is_stored_in_order_and_a_reader_continues_after_the_last_id_it_saw()
    {
        await Stores.SecurityEvents.AppendManyAsync([At(0, "a"), At(1, "b"), At(2, "c", device: "d2")], CancellationToken.None);

        var newest = await Stores.SecurityEvents.ListAsync(null, 10, CancellationToken.None);
        Assert.Equal(["c", "b", "a"], newest.Select(e => e.Event.Kind));
        var afterFirst = await Stores.SecurityEvents.ListAfterAsync(newest[^1].Id, null, 10, CancellationToken.None);
        Assert.Equal(["b", "c"], afterFirst.Select(e => e.Event.Kind));
        Assert.Equal(["b"], (await Stores.SecurityEvents.ListAfterAsync(newest[^1].Id, "d1", 10, CancellationToken.None)).Select(e => e.Event.Kind));
        Assert.Equal("2", newest[0].Event.Details["day"]);
    }

    [Fact]
    public async Task Retention_deletes_only_events_older_than_the_cutoff()
    {
        await Stores.SecurityEvents.AppendManyAsync([At(0, "old"), At(10, "kept"), At(20, "new")], CancellationToken.None);

        Assert.Equal(1, await Stores.SecurityEvents.DeleteOlderThanAsync(Start.AddDays(5), CancellationToken.None));

        Assert.Equal(["new", "kept"], (await Stores.SecurityEvents.ListAsync(null, 10, CancellationToken.None)).Select(e => e.Event.Kind));
    }

    [Fact]
    public async Task Events_of_an_audited_change_commit_with_it()
    {
        await Audit.CommitAsync<bool>((_, _) => ValueTask.FromResult(Fleet.Audit.AuditedOutcome<bool>.Done(true,
            new Fleet.Audit.AuditRecord("test", "device.quarantined", "device/d9", Fleet.Audit.AuditOutcome.Success), At(1, "quarantine", "d9"))));

        Assert.Equal(["quarantine"], (await Stores.SecurityEvents.ListAsync("d9", 10, CancellationToken.None)).Select(e => e.Event.Kind));
    }

    [Fact]
    public async Task An_id_is_never_handed_out_again_after_retention_deleted_the_newest_events()
    {
        // The newest ids carry the oldest times, so retention deletes the top of the id range.
        await Stores.SecurityEvents.AppendManyAsync([At(10, "kept"), At(0, "old-1"), At(1, "old-2")], CancellationToken.None);
        var before = await Stores.SecurityEvents.ListAsync(null, 10, CancellationToken.None);
        var highest = before.Max(e => e.Id);
        Assert.Equal(2, await Stores.SecurityEvents.DeleteOlderThanAsync(Start.AddDays(5), CancellationToken.None));

        await Stores.SecurityEvents.AppendManyAsync([At(11, "after")], CancellationToken.None);

        // A reader whose cursor reached the deleted ids still sees the new event, and no id came back.
        var after = Assert.Single(await Stores.SecurityEvents.ListAfterAsync(highest, null, 10, CancellationToken.None));
        Assert.Equal("after", after.Event.Kind);
        Assert.True(after.Id > highest, $"id {after.Id} repeats one of 1..{highest}");
    }
}
