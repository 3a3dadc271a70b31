using Microsoft.Data.Sqlite;
using Rampart.Fleet.Enrollment;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Enrollment;

/// <summary>Bootstrap tokens (hashes) in SQLite.</summary>
public sealed class SqliteBootstrapTokenStore(SqliteDatabase database) : IBootstrapTokenStore
{
    /// <inheritdoc />
    public async Task<long> ReplaceForDeviceAsync(string deviceId, byte[] tokenHash, DateTimeOffset created, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var revoke = connection.Command(
            "UPDATE bootstrap_tokens SET revoked_ms = $now WHERE device_id = $device AND used_ms IS NULL AND revoked_ms IS NULL", transaction)
            .With("$now", created.ToUnixMs()).With("$device", deviceId))
        {
            await revoke.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var insert = connection.Command(
            "INSERT INTO bootstrap_tokens (device_id, token_hash, created_ms, expires_ms) VALUES ($device, $hash, $created, $expires) RETURNING id", transaction)
            .With("$device", deviceId).With("$hash", tokenHash).With("$created", created.ToUnixMs()).With("$expires", expires.ToUnixMs());
        var id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        await transaction.CommitAsync(cancellationToken);
        return id;
    }

    /// <inheritdoc />
    public Task<BootstrapTokenRecord?> FindByHashAsync(byte[] tokenHash, CancellationToken cancellationToken) =>
        database.QuerySingleAsync(
            "SELECT id, device_id, token_hash, created_ms, expires_ms, used_ms, revoked_ms FROM bootstrap_tokens WHERE token_hash = $hash",
            reader => new BootstrapTokenRecord(reader.GetInt64(0), reader.GetString(1), (byte[])reader.GetValue(2),
                SqliteCommands.FromUnixMs(reader.GetInt64(3)), SqliteCommands.FromUnixMs(reader.GetInt64(4)), reader.FromUnixMs(5), reader.FromUnixMs(6)),
            cancellationToken, ("$hash", tokenHash));

    /// <inheritdoc />
    public async Task<bool> TryUseAsync(long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE bootstrap_tokens SET used_ms = $now WHERE id = $id AND used_ms IS NULL AND revoked_ms IS NULL AND expires_ms > $now",
            cancellationToken, ("$now", now.ToUnixMs()), ("$id", id)) == 1;

    /// <inheritdoc />
    public Task RevokeForDeviceAsync(string deviceId, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "UPDATE bootstrap_tokens SET revoked_ms = $now WHERE device_id = $device AND used_ms IS NULL AND revoked_ms IS NULL",
            cancellationToken, ("$now", now.ToUnixMs()), ("$device", deviceId));
}
