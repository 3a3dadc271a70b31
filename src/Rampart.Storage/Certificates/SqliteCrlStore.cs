using Rampart.Fleet.Certificates;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Certificates;

/// <summary>Published CRLs in SQLite.</summary>
public sealed class SqliteCrlStore(SqliteDatabase database) : ICrlStore
{
    /// <inheritdoc />
    public async Task<PublishedCrl?> GetLatestAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command("SELECT number, this_update_ms, next_update_ms, der FROM crls ORDER BY number DESC LIMIT 1");
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new PublishedCrl(reader.GetInt64(0), SqliteCommands.FromUnixMs(reader.GetInt64(1)), SqliteCommands.FromUnixMs(reader.GetInt64(2)), (byte[])reader.GetValue(3))
            : null;
    }

    /// <inheritdoc />
    public async Task AddAsync(PublishedCrl crl, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var insert = connection.Command("INSERT INTO crls (number, this_update_ms, next_update_ms, der) VALUES ($n, $t, $u, $d)")
            .With("$n", crl.Number).With("$t", crl.ThisUpdate.ToUnixMs()).With("$u", crl.NextUpdate.ToUnixMs()).With("$d", crl.Der);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }
}
