using System.Data.Common;
using System.Text.Json;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Updates;
using Rampart.Storage.Sql;
using Rampart.Updates.Rollouts;

namespace Rampart.Storage.Updates;

/// <summary>Rollouts, their devices and reported firmware, on either provider.</summary>
public class RolloutStore(IStoreDatabase database) : IRolloutStore
{
    private const string Columns = "id, release_id, selector, policy, state, reason, current_wave, wave_count, created_by, created_ms, updated_ms";
    private const string DeviceColumns = "device_id, wave, state, detail, notified_ms, updated_ms";
    private const string Unfinished = "('pending', 'notified', 'downloading', 'installing')";

    /// <inheritdoc />
    public async Task<long> CreateAsync(IStoreTransaction transaction, Rollout rollout, IReadOnlyList<RolloutDevice> devices, CancellationToken cancellationToken)
    {
        var store = CommandTransactions.Of(transaction);
        long id;
        await using (var insert = store.Command(
            $"INSERT INTO rollouts ({Columns[4..]}) VALUES (@release, @selector, @policy, @state, @reason, @wave, @waves, @by, @at, @at) RETURNING id"))
        {
            insert.With("release", rollout.ReleaseId).With("selector", rollout.Selector).With("policy", JsonSerializer.Serialize(rollout.Policy))
                .With("state", Name(rollout.State)).With("reason", rollout.Reason).With("wave", rollout.CurrentWave).With("waves", rollout.WaveCount)
                .With("by", rollout.CreatedBy).With("at", rollout.Created.ToUnixMs());
            id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }

        // Every device in one batch, position = plan order: 100,000 rows take about a second of the
        // writer's batch on SQLite, one round trip on PostgreSQL.
        var at = rollout.Created.ToUnixMs();
        await store.Dialect.InsertRowsAsync(
            store.Command, "rollout_devices",
            [
                new("rollout_id", BatchType.Integer, _ => id),
                new("device_id", BatchType.Text, i => devices[i].DeviceId),
                new("position", BatchType.Integer, i => i),
                new("wave", BatchType.Integer, i => devices[i].Wave),
                new("state", BatchType.Text, i => devices[i].State.Name()),
                new("detail", BatchType.Text, i => devices[i].Detail),
                new("updated_ms", BatchType.Integer, _ => at),
            ],
            devices.Count, string.Empty, cancellationToken);

        return id;
    }

    /// <inheritdoc />
    public Task<Rollout?> GetAsync(long id, CancellationToken cancellationToken) =>
        database.QuerySingleAsync($"SELECT {Columns} FROM rollouts WHERE id = @id", Read, cancellationToken, ("id", id));

    /// <inheritdoc />
    public async Task<IReadOnlyList<Rollout>> ListAsync(IReadOnlyCollection<RolloutState>? states, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            $"SELECT {Columns} FROM rollouts WHERE CAST(@states AS text) IS NULL OR state IN ({database.Dialect.JsonTextValues("states")}) ORDER BY id DESC LIMIT @limit", Read,
            cancellationToken, ("states", states is null ? null : JsonSerializer.Serialize(states.Select(Name))), ("limit", limit));

    /// <inheritdoc />
    public async Task<bool> TrySetStateAsync(
        IStoreTransaction transaction, long id, IReadOnlyCollection<RolloutState> from, RolloutState to, string? reason, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(
            $"UPDATE rollouts SET state = @to, reason = @reason, updated_ms = @at WHERE id = @id AND state IN ({transaction.Dialect().JsonTextValues("from")})",
            cancellationToken, ("to", Name(to)), ("reason", reason), ("at", transaction.Now.ToUnixMs()), ("id", id),
            ("from", JsonSerializer.Serialize(from.Select(Name)))) == 1;

    /// <inheritdoc />
    public async Task<bool> TryOpenWaveAsync(IStoreTransaction transaction, long id, int wave, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(
            "UPDATE rollouts SET current_wave = @wave, updated_ms = @at WHERE id = @id AND state = 'running' AND current_wave < @wave", cancellationToken,
            ("wave", wave), ("at", transaction.Now.ToUnixMs()), ("id", id)) == 1;

    /// <inheritdoc />
    public async Task<RolloutCounts> CountAsync(long id, int? throughWave, CancellationToken cancellationToken)
    {
        // Two statements, not one with "@wave IS NULL OR …", so each is answered from a covering index.
        var rows = await database.QueryAsync(
            throughWave is null
                ? "SELECT state, CAST(COUNT(*) AS integer) FROM rollout_devices WHERE rollout_id = @id GROUP BY state"
                : "SELECT state, CAST(COUNT(*) AS integer) FROM rollout_devices WHERE rollout_id = @id AND wave <= @wave GROUP BY state",
            reader => (reader.GetString(0), reader.GetInt32(1)), cancellationToken, ("id", id), ("wave", throughWave));
        var counts = new Dictionary<RolloutDeviceState, int>();
        foreach (var (state, count) in rows)
        {
            if (RolloutDeviceStates.TryParse(state, out var parsed))
            {
                counts[parsed] = count;
            }
        }

        return new RolloutCounts(counts);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> PendingAsync(long id, int throughWave, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT device_id FROM rollout_devices WHERE rollout_id = @id AND state = 'pending' AND wave <= @wave ORDER BY position LIMIT @limit",
            reader => reader.GetString(0), cancellationToken, ("id", id), ("wave", throughWave), ("limit", limit));

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> OverdueAsync(long id, DateTimeOffset notifiedBefore, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT device_id FROM rollout_devices WHERE rollout_id = @id AND state IN ('notified', 'downloading', 'installing') AND notified_ms < @before LIMIT @limit",
            reader => reader.GetString(0), cancellationToken, ("id", id), ("before", notifiedBefore.ToUnixMs()), ("limit", limit));

    /// <inheritdoc />
    public async Task<bool> TryMoveDeviceAsync(
        long id, string deviceId, IReadOnlyCollection<RolloutDeviceState> from, RolloutDeviceState to, string? detail, DateTimeOffset at, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(_moveDevice, cancellationToken, MoveParameters(id, deviceId, from, to, detail, at)) == 1;

    /// <inheritdoc />
    public async Task<bool> TryMoveDeviceAsync(
        IStoreTransaction transaction, long id, string deviceId, IReadOnlyCollection<RolloutDeviceState> from, RolloutDeviceState to, string? detail,
        CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(_moveDevice, cancellationToken, MoveParameters(id, deviceId, from, to, detail, transaction.Now)) == 1;

    /// <inheritdoc />
    public Task<RolloutDevice?> DeviceAsync(long id, string deviceId, CancellationToken cancellationToken) =>
        database.QuerySingleAsync($"SELECT {DeviceColumns} FROM rollout_devices WHERE rollout_id = @id AND device_id = @device", ReadDevice, cancellationToken,
            ("id", id), ("device", deviceId));

    /// <inheritdoc />
    public async Task<IReadOnlyList<RolloutDevice>> DevicesAsync(long id, RolloutDeviceState? state, string? after, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            $"SELECT {DeviceColumns} FROM rollout_devices WHERE rollout_id = @id AND (CAST(@state AS text) IS NULL OR state = @state) AND device_id > @after ORDER BY device_id LIMIT @limit",
            ReadDevice, cancellationToken, ("id", id), ("state", state?.Name()), ("after", after ?? string.Empty), ("limit", limit));

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> BusyDevicesAsync(CancellationToken cancellationToken) =>
        (await database.QueryAsync(
            $"SELECT DISTINCT d.device_id FROM rollout_devices d JOIN rollouts r ON r.id = d.rollout_id WHERE r.state IN ('running', 'paused') AND d.state IN {Unfinished}",
            reader => reader.GetString(0), cancellationToken)).ToHashSet(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task RecordFirmwareAsync(string deviceId, ReportedFirmware firmware, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "INSERT INTO device_firmware (device_id, version, svn, reported_ms) VALUES (@device, @version, @svn, @at) " +
            "ON CONFLICT (device_id) DO UPDATE SET version = excluded.version, svn = excluded.svn, reported_ms = excluded.reported_ms",
            cancellationToken, ("device", deviceId), ("version", firmware.Version), ("svn", firmware.SecurityVersion), ("at", firmware.Reported.ToUnixMs()));

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, ReportedFirmware>> ReportedFirmwareAsync(IReadOnlyCollection<string>? deviceIds, CancellationToken cancellationToken) =>
        (await database.QueryAsync(
            $"SELECT device_id, version, svn, reported_ms FROM device_firmware WHERE CAST(@ids AS text) IS NULL OR device_id IN ({database.Dialect.JsonTextValues("ids")})",
            reader => (reader.GetString(0), new ReportedFirmware(reader.GetString(1), reader.GetInt64(2), DbCommands.FromUnixMs(reader.GetInt64(3)))),
            cancellationToken, ("ids", deviceIds is null ? null : JsonSerializer.Serialize(deviceIds))))
            .ToDictionary(row => row.Item1, row => row.Item2, StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<IReadOnlyList<(Rollout Rollout, RolloutDevice Device)>> DeviceRolloutsAsync(string deviceId, int limit, CancellationToken cancellationToken) =>
        // rollout_devices (device_id, rollout_id), migration 0035: a device's update history without scanning every rollout's plan.
        await database.QueryAsync(
            $"SELECT {string.Join(", ", Columns.Split(", ").Select(c => "r." + c))}, {string.Join(", ", DeviceColumns.Split(", ").Select(c => "d." + c))} " +
            "FROM rollout_devices d JOIN rollouts r ON r.id = d.rollout_id WHERE d.device_id = @device ORDER BY d.rollout_id DESC LIMIT @limit",
            reader => (Read(reader), ReadDeviceAt(reader, 11)), cancellationToken, ("device", deviceId), ("limit", limit));

    private readonly string _moveDevice =
        "UPDATE rollout_devices SET state = @to, detail = @detail, updated_ms = @at, notified_ms = CASE WHEN @to = 'notified' THEN @at ELSE notified_ms END " +
        $"WHERE rollout_id = @id AND device_id = @device AND state IN ({database.Dialect.JsonTextValues("from")})";

    private static (string Name, object? Value)[] MoveParameters(
        long id, string deviceId, IReadOnlyCollection<RolloutDeviceState> from, RolloutDeviceState to, string? detail, DateTimeOffset at) =>
        [("to", to.Name()), ("detail", detail), ("at", at.ToUnixMs()), ("id", id), ("device", deviceId), ("from", JsonSerializer.Serialize(from.Select(s => s.Name())))];

    private static string Name(RolloutState state) => state.ToString().ToLowerInvariant();

    private static Rollout Read(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
        JsonSerializer.Deserialize<RolloutPolicy>(reader.GetString(3)) ?? new RolloutPolicy(),
        Enum.Parse<RolloutState>(reader.GetString(4), ignoreCase: true), reader.IsDBNull(5) ? null : reader.GetString(5),
        reader.GetInt32(6), reader.GetInt32(7), reader.GetString(8), DbCommands.FromUnixMs(reader.GetInt64(9)), DbCommands.FromUnixMs(reader.GetInt64(10)));

    private static RolloutDevice ReadDevice(DbDataReader reader) => ReadDeviceAt(reader, 0);

    // The device columns from ordinal o on (after the rollout's columns in a join).
    private static RolloutDevice ReadDeviceAt(DbDataReader reader, int o) => new(
        reader.GetString(o), reader.GetInt32(o + 1), RolloutDeviceStates.TryParse(reader.GetString(o + 2), out var state) ? state : RolloutDeviceState.Failed,
        reader.IsDBNull(o + 3) ? null : reader.GetString(o + 3), reader.FromUnixMs(o + 4), DbCommands.FromUnixMs(reader.GetInt64(o + 5)));
}

/// <summary>The store on a SQLite file, by the name callers outside Storage (tests, bench) know it.</summary>
public sealed class SqliteRolloutStore(Sqlite.SqliteDatabase database) : RolloutStore(database);
