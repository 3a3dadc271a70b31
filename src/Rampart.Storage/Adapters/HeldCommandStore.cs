using Rampart.Adapters.Links;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Adapters;

/// <summary>
/// Commands held for HTTPS/CoAP devices between their links (migration 0034), the same SQL on both
/// providers. A hold is one transaction (its inserts and the per-device trim commit together); a take
/// is one <c>DELETE … RETURNING</c>, so two nodes never both deliver a command.
/// </summary>
public sealed class HeldCommandStore(IStoreDatabase database) : IHeldCommandStore
{
    // The device is let in when it holds commands already or fewer than @max devices do (one statement: no gap between check and insert on SQLite's write lock).
    private const string Insert =
        "INSERT INTO adapter_held_commands (device_id, seq, topic, name, payload, expires_ms) "
        + "SELECT @d, COALESCE((SELECT MAX(seq) FROM adapter_held_commands WHERE device_id = @d), 0) + 1, @t, @n, @p, @e "
        + "WHERE EXISTS (SELECT 1 FROM adapter_held_commands WHERE device_id = @d) "
        + "OR (SELECT COUNT(DISTINCT device_id) FROM adapter_held_commands) < @max";

    private const string Trim =
        "DELETE FROM adapter_held_commands WHERE device_id = @d AND seq <= (SELECT MAX(seq) FROM adapter_held_commands WHERE device_id = @d) - @per";

    /// <inheritdoc />
    public async Task<int> HoldAsync(string deviceId, IReadOnlyList<DeviceCommand> commands, DateTimeOffset expires, int perDevice, int maxDevices, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var dropped = 0;
        foreach (var command in commands)
        {
            await using var insert = connection.Command(Insert, transaction)
                .With("d", deviceId).With("t", command.Topic).With("n", command.Name).With("p", command.Payload.ToArray()).With("e", expires.ToUnixMs()).With("max", maxDevices);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                dropped++;
            }
        }

        await using (var trim = connection.Command(Trim, transaction).With("d", deviceId).With("per", perDevice))
        {
            dropped += await trim.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return dropped;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<(DeviceCommand Command, DateTimeOffset Expires)>> TakeAsync(string deviceId, CancellationToken cancellationToken) =>
        (await database.QueryAsync(
            "DELETE FROM adapter_held_commands WHERE device_id = @d RETURNING seq, topic, name, payload, expires_ms",
            r => (Seq: r.GetInt64(0), Command: new DeviceCommand(r.GetString(1), r.GetString(2), (byte[])r.GetValue(3)), Expires: DbCommands.FromUnixMs(r.GetInt64(4))),
            cancellationToken, ("d", deviceId)))
        .OrderBy(row => row.Seq).Select(row => (row.Command, row.Expires)).ToArray();

    /// <inheritdoc />
    public async Task<(long? Seq, int Dropped)> KeepAsync(string deviceId, DeviceCommand command, DateTimeOffset expires, int perDevice, int maxDevices, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long? seq;
        await using (var insert = connection.Command(Insert + " RETURNING seq", transaction)
            .With("d", deviceId).With("t", command.Topic).With("n", command.Name).With("p", command.Payload.ToArray()).With("e", expires.ToUnixMs()).With("max", maxDevices))
        {
            var value = await insert.ExecuteScalarAsync(cancellationToken);
            seq = value is null or DBNull ? null : DbCommands.ToInt64(value);
        }

        int dropped;
        await using (var trim = connection.Command(Trim, transaction).With("d", deviceId).With("per", perDevice))
        {
            dropped = await trim.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (seq, dropped);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<(DeviceCommand Command, HeldMark Mark)>> PeekAsync(string deviceId, CancellationToken cancellationToken) =>
        (await database.QueryAsync(
            "SELECT seq, topic, name, payload, expires_ms FROM adapter_held_commands WHERE device_id = @d ORDER BY seq",
            r => (new DeviceCommand(r.GetString(1), r.GetString(2), (byte[])r.GetValue(3)), new HeldMark(r.GetInt64(0), r.GetInt64(4))),
            cancellationToken, ("d", deviceId))).ToArray();

    /// <inheritdoc />
    public async Task<bool> ClaimAsync(string deviceId, HeldMark mark, DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "DELETE FROM adapter_held_commands WHERE device_id = @d AND seq = @s AND expires_ms = @e AND expires_ms > @now",
            cancellationToken, ("d", deviceId), ("s", mark.Seq), ("e", mark.ExpiresMs), ("now", now.ToUnixMs())) == 1;

    /// <inheritdoc />
    public Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM adapter_held_commands WHERE expires_ms <= @now", cancellationToken, ("now", now.ToUnixMs()));

    /// <inheritdoc />
    public async Task<int> CountAsync(string deviceId, CancellationToken cancellationToken) =>
        (int)DbCommands.ToInt64(await database.ScalarAsync("SELECT COUNT(*) FROM adapter_held_commands WHERE device_id = @d", cancellationToken, ("d", deviceId)));

    /// <inheritdoc />
    public async Task<int> DevicesAsync(CancellationToken cancellationToken) =>
        (int)DbCommands.ToInt64(await database.ScalarAsync("SELECT COUNT(DISTINCT device_id) FROM adapter_held_commands", cancellationToken));
}
