using System.Data.Common;
using Rampart.Detection.Response;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Gateway;
using Rampart.Storage.Sql;


namespace Rampart.Storage.Detection;

/// <summary>The response's state, on either provider (migration 0012): tightened limits per device and the guard rail's containments.</summary>
public class ResponseStore(IStoreDatabase database) : ILimitOverrideStore, IContainmentBudgetStore
{
    private const string OverrideColumns =
        "SELECT device_id, messages_per_second, message_burst, bytes_per_second, byte_burst, alert_id, reason, set_by, set_ms FROM limit_overrides";

    /// <inheritdoc />
    public async Task<bool> TryAddAsync(IStoreTransaction transaction, DeviceLimitOverride limits, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(
            "INSERT INTO limit_overrides (device_id, messages_per_second, message_burst, bytes_per_second, byte_burst, alert_id, reason, set_by, set_ms) " +
            "VALUES (@d, @mps, @mb, @bps, @bb, @alert, @reason, @by, @at) ON CONFLICT (device_id) DO NOTHING",
            cancellationToken, ("d", limits.DeviceId), ("mps", limits.Limits.MessagesPerSecond), ("mb", limits.Limits.MessageBurst),
            ("bps", limits.Limits.BytesPerSecond), ("bb", limits.Limits.ByteBurst), ("alert", limits.AlertId), ("reason", limits.Reason),
            ("by", limits.SetBy), ("at", limits.Set.ToUnixMs())) == 1;

    /// <inheritdoc />
    public async Task<bool> RemoveAsync(IStoreTransaction transaction, string deviceId, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync("DELETE FROM limit_overrides WHERE device_id = @d", cancellationToken, ("d", deviceId)) == 1;

    /// <inheritdoc />
    public async Task<IReadOnlyList<DeviceLimitOverride>> ListAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(OverrideColumns + " ORDER BY device_id", ReadOverride, cancellationToken);

    /// <inheritdoc />
    public async Task<int> CountSinceAsync(IStoreTransaction transaction, string pool, DateTimeOffset since, CancellationToken cancellationToken) =>
        Convert.ToInt32(await transaction.ScalarAsync("SELECT COUNT(*) FROM containment_budget WHERE pool = @p AND taken_ms > @since", cancellationToken,
            ("p", pool), ("since", since.ToUnixMs())), System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public async Task<int> CountSinceAsync(string pool, DateTimeOffset since, CancellationToken cancellationToken) =>
        Convert.ToInt32(await database.ScalarAsync("SELECT COUNT(*) FROM containment_budget WHERE pool = @p AND taken_ms > @since", cancellationToken,
            ("p", pool), ("since", since.ToUnixMs())), System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public async Task AddAsync(IStoreTransaction transaction, string pool, long alertId, DateTimeOffset at, DateTimeOffset expired, CancellationToken cancellationToken)
    {
        await transaction.ExecuteAsync("DELETE FROM containment_budget WHERE taken_ms <= @expired", cancellationToken, ("expired", expired.ToUnixMs()));
        await transaction.ExecuteAsync("INSERT INTO containment_budget (pool, alert_id, taken_ms) VALUES (@p, @alert, @at)", cancellationToken,
            ("p", pool), ("alert", alertId), ("at", at.ToUnixMs()));
    }

    /// <inheritdoc />
    public async Task<bool> RemoveAsync(IStoreTransaction transaction, long alertId, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(
            "DELETE FROM containment_budget WHERE id = (SELECT MAX(id) FROM containment_budget WHERE alert_id = @alert)", cancellationToken, ("alert", alertId)) == 1;

    private static DeviceLimitOverride ReadOverride(DbDataReader reader) => new(
        reader.GetString(0), new LimitOverride(reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4)),
        reader.GetInt64(5), reader.GetString(6), reader.GetString(7), DbCommands.FromUnixMs(reader.GetInt64(8)));
}

/// <summary>The store on a SQLite file, by the name callers outside Storage (tests, bench) know it.</summary>
public sealed class SqliteResponseStore(Sqlite.SqliteDatabase database) : ResponseStore(database);
