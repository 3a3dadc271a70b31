using System.Data.Common;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Inventory;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>Atomic audited transactions and the append-only chain, the same on every provider.</summary>
public abstract class AuditChainContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    [Fact]
    public async Task A_change_and_its_entry_commit_together_and_a_change_that_throws_leaves_neither_its_writes_nor_an_entry()
    {
        var kept = Audit.CommitAsync<bool>(async (transaction, cancellationToken) =>
            AuditedOutcome<bool>.Done(await Stores.Devices.TryAddAsync(transaction, NewDevice("kept"), cancellationToken), Record("kept")));
        var failed = Audit.CommitAsync<bool>(async (transaction, cancellationToken) =>
        {
            await Stores.Devices.TryAddAsync(transaction, NewDevice("failed"), cancellationToken);
            throw new InvalidOperationException("the work changed its mind");
        });
        var alsoKept = Audit.CommitAsync<bool>(async (transaction, cancellationToken) =>
            AuditedOutcome<bool>.Done(await Stores.Devices.TryAddAsync(transaction, NewDevice("also-kept"), cancellationToken), Record("also-kept")));

        Assert.True((await kept).Value);
        await Assert.ThrowsAsync<InvalidOperationException>(() => failed);
        Assert.True((await alsoKept).Value);

        Assert.NotNull(await Stores.Devices.GetAsync("kept", CancellationToken.None));
        Assert.NotNull(await Stores.Devices.GetAsync("also-kept", CancellationToken.None));
        Assert.Null(await Stores.Devices.GetAsync("failed", CancellationToken.None));
        Assert.Equal(["device/also-kept", "device/kept"], (await EntriesAsync()).Select(e => e.Target).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_change_the_database_refuses_is_undone_alone_and_the_batch_around_it_commits()
    {
        var certificate = new Fleet.Certificates.IssuedCertificate("AA01", "device", "d", "k", Start, Start.AddDays(1), false, null, null, [1]);
        await Stores.Certificates.AddAsync(certificate, CancellationToken.None);

        var changes = Enumerable.Range(0, 6).Select(i => Audit.CommitAsync<bool>(async (transaction, cancellationToken) =>
        {
            await Stores.Devices.TryAddAsync(transaction, NewDevice($"batch-{i}"), cancellationToken);
            if (i % 2 == 1)
            {
                // The same serial again: a primary-key violation inside the transaction.
                await Stores.Certificates.AddAsync(transaction, certificate, cancellationToken);
            }

            return AuditedOutcome<bool>.Done(true, Record($"batch-{i}"));
        })).ToArray();

        foreach (var (change, i) in changes.Select((change, i) => (change, i)))
        {
            if (i % 2 == 1)
            {
                await Assert.ThrowsAnyAsync<DbException>(() => change);
            }
            else
            {
                Assert.True((await change).Value);
            }
        }

        var kept = (await Stores.Devices.ListAsync(new DeviceQuery(), CancellationToken.None)).Select(d => d.Id);
        Assert.Equal(["batch-0", "batch-2", "batch-4"], kept);
        Assert.Equal(3, (await EntriesAsync()).Count);
        Assert.True((await VerifyAsync()).IsIntact);
    }

    [Fact]
    public async Task A_refused_change_keeps_its_record_but_not_its_writes()
    {
        var refused = await Audit.CommitAsync<bool>(async (transaction, cancellationToken) =>
        {
            await Stores.Devices.TryAddAsync(transaction, NewDevice("refused"), cancellationToken);
            return AuditedOutcome<bool>.Refused(false, Record("refused") with { Outcome = AuditOutcome.Denied });
        });

        Assert.False(refused.Value);
        Assert.Null(await Stores.Devices.GetAsync("refused", CancellationToken.None));
        var entry = Assert.Single(await EntriesAsync());
        Assert.Equal("denied", entry.Outcome);
    }

    [Fact]
    public async Task The_chain_continues_across_writers_and_verifies_with_its_checkpoints()
    {
        for (var i = 0; i < 3; i++)
        {
            await Audit.AppendAsync(Record($"first-{i}"));
        }

        await Audit.StopAsync();
        var next = NewWriter(Stores.Audit, checkpointInterval: 2);
        await next.StartAsync(CancellationToken.None);
        for (var i = 0; i < 4; i++)
        {
            await next.AppendAsync(Record($"second-{i}"));
        }

        await next.StopAsync();

        var verification = await VerifyAsync();
        Assert.True(verification.IsIntact, verification.Problem);
        Assert.Equal(7, verification.EntriesVerified);
        Assert.True(verification.CheckpointsVerified >= 2);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), (await EntriesAsync()).Select(e => e.Sequence));
    }

    [Theory]
    [InlineData("UPDATE audit_entries SET actor = 'x'")]
    [InlineData("DELETE FROM audit_entries")]
    [InlineData("UPDATE audit_checkpoints SET key_id = 'x'")]
    [InlineData("DELETE FROM audit_checkpoints")]
    public async Task The_audit_tables_refuse_updates_and_deletes(string sql)
    {
        await Audit.AppendAsync(Record("a"));
        await Audit.StopAsync(); // signs a checkpoint over it

        var error = await Assert.ThrowsAnyAsync<DbException>(() => Provider.ExecuteRawAsync(sql));

        Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
        Assert.True((await VerifyAsync()).IsIntact);
    }

    private async Task<List<AuditEntry>> EntriesAsync()
    {
        var entries = new List<AuditEntry>();
        await foreach (var entry in Stores.Audit.ReadEntriesAsync(1, CancellationToken.None))
        {
            entries.Add(entry);
        }

        return entries;
    }

    private static AuditRecord Record(string device) => new("test", "device.registered", "device/" + device, AuditOutcome.Success);

    internal static Rampart.Fleet.Inventory.Device NewDevice(string id, string? site = null, string? zone = null, DeviceState state = DeviceState.Registered) =>
        new(id, "m1", "acme", null, null, site, zone, ["t"], state, null, Start, Start);
}
