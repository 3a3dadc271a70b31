using Rampart.Fleet.Audit;
using Rampart.Fleet.Vendors;
using Rampart.Storage.Vendors;

namespace Rampart.Fleet.Tests.Audit;

/// <summary>A change and its audit entry commit together or not at all (<see cref="IAuditLog.CommitAsync{T}"/>).</summary>
public sealed class AuditedTransactionTests
{
    [Fact]
    public async Task A_work_commits_its_writes_with_its_entry()
    {
        await using var log = await AuditTestLog.CreateAsync();
        var vendors = new SqliteVendorTrustStore(log.Database);
        var writer = log.NewWriter();
        await writer.StartAsync(CancellationToken.None);

        var outcome = await writer.CommitAsync(async (transaction, cancellationToken) =>
            AuditedOutcome<bool>.Done(await vendors.TryAddAsync(transaction, Trust(1), cancellationToken), Added(1)));
        await writer.StopAsync();

        Assert.True(outcome.Value);
        Assert.Single(await vendors.ListAsync(CancellationToken.None));
        Assert.Equal("vendor/v1", (await log.Store.GetLastEntryAsync(CancellationToken.None))!.Target);
    }

    [Fact]
    public async Task A_work_that_throws_leaves_no_trace_and_the_others_of_its_batch_still_commit()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 1000);
        var vendors = new SqliteVendorTrustStore(log.Database);
        var writer = log.NewWriter();
        await writer.StartAsync(CancellationToken.None);

        // Every third work writes its row and then fails: its row must not survive.
        var results = await Task.WhenAll(Enumerable.Range(1, 60).Select(i => Task.Run(async () =>
        {
            try
            {
                await writer.CommitAsync(async (transaction, cancellationToken) =>
                {
                    await vendors.TryAddAsync(transaction, Trust(i), cancellationToken);
                    return i % 3 == 0 ? throw new InvalidOperationException("refused after writing") : AuditedOutcome<bool>.Done(true, Added(i));
                });
                return true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        })));
        await writer.StopAsync();

        Assert.Equal(40, results.Count(committed => committed));
        var stored = await vendors.ListAsync(CancellationToken.None);
        Assert.Equal(40, stored.Count);
        Assert.DoesNotContain(stored, trust => int.Parse(trust.Name[1..], System.Globalization.CultureInfo.InvariantCulture) % 3 == 0);
        var verification = await log.VerifyAsync();
        Assert.True(verification.IsIntact, verification.Problem);
        Assert.Equal(40, verification.EntriesVerified);
    }

    [Fact]
    public async Task A_refusal_decided_in_the_transaction_rolls_back_its_writes_and_keeps_its_entry()
    {
        await using var log = await AuditTestLog.CreateAsync();
        var vendors = new SqliteVendorTrustStore(log.Database);
        var writer = log.NewWriter();
        await writer.StartAsync(CancellationToken.None);

        var outcome = await writer.CommitAsync(async (transaction, cancellationToken) =>
        {
            await vendors.TryAddAsync(transaction, Trust(7), cancellationToken);
            return AuditedOutcome<string>.Refused("refused", new AuditRecord("tester", "vendor.trust-added", "vendor/v7", AuditOutcome.Denied));
        });
        await writer.StopAsync();

        Assert.Equal("refused", outcome.Value);
        Assert.Empty(await vendors.ListAsync(CancellationToken.None));
        var last = await log.Store.GetLastEntryAsync(CancellationToken.None);
        Assert.Equal(("vendor/v7", "denied"), (last!.Target, last.Outcome));
    }

    [Fact]
    public async Task A_work_that_keeps_writes_without_an_audit_record_is_refused()
    {
        await using var log = await AuditTestLog.CreateAsync();
        var vendors = new SqliteVendorTrustStore(log.Database);
        var writer = log.NewWriter();
        await writer.StartAsync(CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CommitAsync(async (transaction, cancellationToken) =>
            new AuditedOutcome<bool>(await vendors.TryAddAsync(transaction, Trust(3), cancellationToken), [], [], Discarded: false)));
        await writer.StopAsync();

        Assert.Empty(await vendors.ListAsync(CancellationToken.None));
    }

    private static VendorTrust Trust(int i) => new($"v{i}", [(byte)i], $"fingerprint-{i}", DateTimeOffset.UnixEpoch);

    private static AuditRecord Added(int i) => new("tester", "vendor.trust-added", $"vendor/v{i}", AuditOutcome.Success);
}
