using Rampart.Fleet.Audit;
using Rampart.Fleet.Operators;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Operators;

/// <summary>Setup tokens, on either provider; only their hashes.</summary>
public class SetupTokenStore(IStoreDatabase database) : ISetupTokenStore
{
    /// <inheritdoc />
    public async Task<bool> AnyIssuedAsync(CancellationToken cancellationToken) =>
        Convert.ToInt64(await database.ScalarAsync("SELECT EXISTS (SELECT 1 FROM setup_tokens)", cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;

    /// <inheritdoc />
    public async Task<long> ReplaceAsync(IStoreTransaction transaction, byte[] tokenHash, DateTimeOffset created, DateTimeOffset expires, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await transaction.ExecuteAsync("UPDATE setup_tokens SET revoked_ms = @now WHERE consumed_ms IS NULL AND revoked_ms IS NULL", cancellationToken, ("now", now.ToUnixMs()));
        return (long)(await transaction.ScalarAsync(
            "INSERT INTO setup_tokens (token_hash, created_ms, expires_ms) VALUES (@hash, @created, @expires) RETURNING id",
            cancellationToken, ("hash", tokenHash), ("created", created.ToUnixMs()), ("expires", expires.ToUnixMs())))!;
    }

    /// <inheritdoc />
    public Task<SetupTokenRecord?> GetUsableAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.QuerySingleAsync(
            "SELECT id, token_hash, created_ms, expires_ms, consumed_ms, revoked_ms FROM setup_tokens " +
            "WHERE consumed_ms IS NULL AND revoked_ms IS NULL AND expires_ms > @now ORDER BY id DESC",
            reader => new SetupTokenRecord(reader.GetInt64(0), (byte[])reader.GetValue(1), DbCommands.FromUnixMs(reader.GetInt64(2)),
                DbCommands.FromUnixMs(reader.GetInt64(3)), reader.FromUnixMs(4), reader.FromUnixMs(5)),
            cancellationToken, ("now", now.ToUnixMs()));

    /// <inheritdoc />
    public async Task<bool> TryConsumeAsync(IStoreTransaction transaction, long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(
            "UPDATE setup_tokens SET consumed_ms = @now WHERE id = @id AND consumed_ms IS NULL AND revoked_ms IS NULL AND expires_ms > @now",
            cancellationToken, ("now", now.ToUnixMs()), ("id", id)) == 1;
}

/// <summary>The store on a SQLite file, by the name callers outside Storage (tests, bench) know it.</summary>
public sealed class SqliteSetupTokenStore(Sqlite.SqliteDatabase database) : SetupTokenStore(database);
