using Microsoft.Data.Sqlite;
using Rampart.Fleet.Operators;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Operators;

/// <summary>Setup tokens in SQLite; only their hashes.</summary>
public sealed class SqliteSetupTokenStore(SqliteDatabase database) : ISetupTokenStore
{
    /// <inheritdoc />
    public async Task<bool> AnyIssuedAsync(CancellationToken cancellationToken) =>
        Convert.ToInt64(await database.ScalarAsync("SELECT EXISTS (SELECT 1 FROM setup_tokens)", cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;

    /// <inheritdoc />
    public async Task<long> ReplaceAsync(byte[] tokenHash, DateTimeOffset created, DateTimeOffset expires, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var revoke = connection.Command(
            "UPDATE setup_tokens SET revoked_ms = $now WHERE consumed_ms IS NULL AND revoked_ms IS NULL", transaction).With("$now", now.ToUnixMs()))
        {
            await revoke.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var insert = connection.Command(
            "INSERT INTO setup_tokens (token_hash, created_ms, expires_ms) VALUES ($hash, $created, $expires) RETURNING id", transaction)
            .With("$hash", tokenHash).With("$created", created.ToUnixMs()).With("$expires", expires.ToUnixMs());
        var id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        await transaction.CommitAsync(cancellationToken);
        return id;
    }

    /// <inheritdoc />
    public Task<SetupTokenRecord?> GetUsableAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.QuerySingleAsync(
            "SELECT id, token_hash, created_ms, expires_ms, consumed_ms, revoked_ms FROM setup_tokens " +
            "WHERE consumed_ms IS NULL AND revoked_ms IS NULL AND expires_ms > $now ORDER BY id DESC",
            reader => new SetupTokenRecord(reader.GetInt64(0), (byte[])reader.GetValue(1), SqliteCommands.FromUnixMs(reader.GetInt64(2)),
                SqliteCommands.FromUnixMs(reader.GetInt64(3)), reader.FromUnixMs(4), reader.FromUnixMs(5)),
            cancellationToken, ("$now", now.ToUnixMs()));

    /// <inheritdoc />
    public async Task<bool> TryConsumeAsync(long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE setup_tokens SET consumed_ms = $now WHERE id = $id AND consumed_ms IS NULL AND revoked_ms IS NULL AND expires_ms > $now",
            cancellationToken, ("$now", now.ToUnixMs()), ("$id", id)) == 1;
}
