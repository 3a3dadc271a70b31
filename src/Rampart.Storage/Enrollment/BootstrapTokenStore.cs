using Rampart.Fleet.Audit;
using Rampart.Fleet.Enrollment;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Enrollment;

/// <summary>Bootstrap tokens (hashes), on either provider.</summary>
public sealed class BootstrapTokenStore(IStoreDatabase database) : IBootstrapTokenStore
{
    /// <inheritdoc />
    public async Task<long> ReplaceForDeviceAsync(IStoreTransaction transaction, string deviceId, byte[] tokenHash, DateTimeOffset created, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        await RevokeForDeviceAsync(transaction, deviceId, created, cancellationToken);
        return (long)(await transaction.ScalarAsync(
            "INSERT INTO bootstrap_tokens (device_id, token_hash, created_ms, expires_ms) VALUES (@device, @hash, @created, @expires) RETURNING id",
            cancellationToken, ("device", deviceId), ("hash", tokenHash), ("created", created.ToUnixMs()), ("expires", expires.ToUnixMs())))!;
    }

    /// <inheritdoc />
    public Task<BootstrapTokenRecord?> FindByHashAsync(byte[] tokenHash, CancellationToken cancellationToken) =>
        database.QuerySingleAsync(
            "SELECT id, device_id, token_hash, created_ms, expires_ms, used_ms, revoked_ms FROM bootstrap_tokens WHERE token_hash = @hash",
            reader => new BootstrapTokenRecord(reader.GetInt64(0), reader.GetString(1), (byte[])reader.GetValue(2),
                DbCommands.FromUnixMs(reader.GetInt64(3)), DbCommands.FromUnixMs(reader.GetInt64(4)), reader.FromUnixMs(5), reader.FromUnixMs(6)),
            cancellationToken, ("hash", tokenHash));

    /// <inheritdoc />
    public async Task<bool> TryUseAsync(IStoreTransaction transaction, long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(
            "UPDATE bootstrap_tokens SET used_ms = @now WHERE id = @id AND used_ms IS NULL AND revoked_ms IS NULL AND expires_ms > @now",
            cancellationToken, ("now", now.ToUnixMs()), ("id", id)) == 1;

    /// <inheritdoc />
    public Task<int> RevokeForDeviceAsync(IStoreTransaction transaction, string deviceId, DateTimeOffset now, CancellationToken cancellationToken) =>
        transaction.ExecuteAsync(
            "UPDATE bootstrap_tokens SET revoked_ms = @now WHERE device_id = @device AND used_ms IS NULL AND revoked_ms IS NULL",
            cancellationToken, ("now", now.ToUnixMs()), ("device", deviceId));
}
