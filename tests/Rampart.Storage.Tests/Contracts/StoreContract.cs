using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Rampart.Fleet.Audit;
using Rampart.Testing;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>
/// The base of every store contract: the same tests run once per provider (a SQLite and a
/// PostgreSQL subclass each, Contracts/Providers.cs), each test on its own new database, with a
/// running audit log for the changes that commit through it.
/// </summary>
public abstract class StoreContract<TProvider> : IAsyncLifetime
    where TProvider : IStoreProvider, new()
{
    protected static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    protected TProvider Provider { get; } = new();

    protected NodeStores Stores { get; private set; } = null!;

    protected AuditLog Audit { get; private set; } = null!;

    protected AuditSigningKey Key { get; } = new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    protected ManualTimeProvider Clock { get; } = new(Start);

    public async Task InitializeAsync()
    {
        Stores = await Provider.OpenAsync();
        Audit = NewWriter(Stores.Audit);
        await Audit.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Audit.StopAsync();
        await Stores.DisposeAsync();
        await Provider.DisposeAsync();
    }

    /// <summary>A writer of the chain in <paramref name="store"/> with this test's key and clock.</summary>
    protected AuditLog NewWriter(IAuditStore store, int checkpointInterval = 1000) =>
        new(store, Key, Clock, Microsoft.Extensions.Options.Options.Create(new AuditOptions { CheckpointInterval = checkpointInterval }), NullLogger<AuditLog>.Instance);

    /// <summary>Runs <paramref name="write"/> as an audited change and returns its value.</summary>
    protected async Task<T> AuditedAsync<T>(Func<IStoreTransaction, Task<T>> write)
    {
        var outcome = await Audit.CommitAsync<T>(async (transaction, _) =>
            AuditedOutcome<T>.Done(await write(transaction), new AuditRecord("test", "store.written", "contract", AuditOutcome.Success)));
        return outcome.Value;
    }

    /// <summary>The whole chain, verified against this test's key.</summary>
    protected async Task<AuditVerification> VerifyAsync()
    {
        using var publicKey = Key.ExportPublic();
        return await new AuditVerifier(publicKey).VerifyAsync(Stores.Audit);
    }
}
