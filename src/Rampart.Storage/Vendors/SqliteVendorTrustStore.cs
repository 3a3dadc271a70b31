using Rampart.Fleet.Vendors;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Vendors;

/// <summary>Manufacturer CAs in SQLite.</summary>
public sealed class SqliteVendorTrustStore(SqliteDatabase database) : IVendorTrustStore
{
    /// <inheritdoc />
    public async Task<bool> TryAddAsync(VendorTrust trust, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var insert = connection.Command(
            "INSERT INTO vendor_trust (fingerprint, name, der, added_ms) VALUES ($f, $n, $d, $t) ON CONFLICT (fingerprint) DO NOTHING")
            .With("$f", trust.Fingerprint).With("$n", trust.Name).With("$d", trust.CertificateDer).With("$t", trust.Added.ToUnixMs());
        return await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<VendorTrust>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command("SELECT name, der, fingerprint, added_ms FROM vendor_trust ORDER BY name");
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var list = new List<VendorTrust>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new VendorTrust(reader.GetString(0), (byte[])reader.GetValue(1), reader.GetString(2), SqliteCommands.FromUnixMs(reader.GetInt64(3))));
        }

        return list;
    }
}
