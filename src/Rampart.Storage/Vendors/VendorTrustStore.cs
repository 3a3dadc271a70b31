using Rampart.Fleet.Audit;
using Rampart.Fleet.Vendors;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Vendors;

/// <summary>Manufacturer CAs, on either provider.</summary>
public class VendorTrustStore(IStoreDatabase database) : IVendorTrustStore
{
    /// <inheritdoc />
    public async Task<bool> TryAddAsync(IStoreTransaction transaction, VendorTrust trust, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(
            "INSERT INTO vendor_trust (fingerprint, name, der, added_ms) VALUES (@f, @n, @d, @t) ON CONFLICT (fingerprint) DO NOTHING", cancellationToken,
            ("f", trust.Fingerprint), ("n", trust.Name), ("d", trust.CertificateDer), ("t", trust.Added.ToUnixMs())) == 1;

    /// <inheritdoc />
    public async Task<IReadOnlyList<VendorTrust>> ListAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT name, der, fingerprint, added_ms FROM vendor_trust ORDER BY name",
            reader => new VendorTrust(reader.GetString(0), (byte[])reader.GetValue(1), reader.GetString(2), DbCommands.FromUnixMs(reader.GetInt64(3))),
            cancellationToken);
}

/// <summary>The store on a SQLite file, by the name callers outside Storage (tests, bench) know it.</summary>
public sealed class SqliteVendorTrustStore(Sqlite.SqliteDatabase database) : VendorTrustStore(database);
