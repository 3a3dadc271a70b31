using System.Data.Common;
using System.Text.Json;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Inventory;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Inventory;

/// <summary>The inventory, on either provider.</summary>
public class DeviceStore(IStoreDatabase database) : IDeviceStore
{
    private const string Columns = "id, model, vendor, hardware_rev, firmware_version, site, zone, tags, state, support_until, created_ms, updated_ms";

    // The same columns of the list's devices d (joined with the tag and risk tables).
    private static readonly string Prefixed = string.Join(", ", Columns.Split(", ").Select(c => "d." + c));

    /// <inheritdoc />
    public async Task<bool> TryAddAsync(IStoreTransaction transaction, Device device, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(
            $"INSERT INTO devices ({Columns}) VALUES (@id, @model, @vendor, @hw, @fw, @site, @zone, @tags, @state, @support, @created, @updated) ON CONFLICT (id) DO NOTHING",
            cancellationToken,
            ("id", device.Id), ("model", device.Model), ("vendor", device.Vendor), ("hw", device.HardwareRevision), ("fw", device.FirmwareVersion),
            ("site", device.Site), ("zone", device.Zone), ("tags", JsonSerializer.Serialize(device.Tags)), ("state", StateName(device.State)),
            ("support", device.SupportUntil?.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
            ("created", device.Created.ToUnixMs()), ("updated", device.Updated.ToUnixMs())) == 1;

    /// <inheritdoc />
    public Task<Device?> GetAsync(string id, CancellationToken cancellationToken) =>
        database.QuerySingleAsync($"SELECT {Columns} FROM devices WHERE id = @id", Read, cancellationToken, ("id", id));

    /// <inheritdoc />
    public async Task<IReadOnlyList<Device>> ListAsync(DeviceQuery query, CancellationToken cancellationToken)
    {
        // Only the filters given, so the planner can use the (state, id), (site, id), (zone, id) and (model, id) indexes.
        // A tag or risk filter walks device_tags (tag, device_id) or device_risk (band, device_id) in id order: the range
        // and the order are on that table's id (equal to the device's by the join), so it stops at the page's end
        // instead of sorting every match (SQLite sorted all 50,000 devices of a common tag otherwise).
        var key = query.Tag is not null ? "t.device_id" : query.Risk is not null ? "r.device_id" : "d.id";
        return await database.QueryAsync(
            $"SELECT {Prefixed} FROM devices d" +
            (query.Tag is null ? string.Empty : " JOIN device_tags t ON t.device_id = d.id AND t.tag = @tag") +
            (query.Risk is null ? string.Empty : " JOIN device_risk r ON r.device_id = d.id AND r.band = @risk") +
            $" WHERE {key} > @after" + (query.State is null ? string.Empty : " AND d.state = CAST(@state AS text)") +
            (query.Sites is { Count: > 0 } ? $" AND d.site IN ({database.Dialect.JsonTextValues("sites")})" : string.Empty) +
            (query.Zones is { Count: > 0 } ? $" AND d.zone IN ({database.Dialect.JsonTextValues("zones")})" : string.Empty) +
            (query.Model is null ? string.Empty : " AND d.model = @model") +
            $" ORDER BY {key} LIMIT @limit",
            Read,
            cancellationToken,
            ("after", query.After ?? string.Empty), ("state", query.State is { } state ? StateName(state) : null), ("limit", query.Limit),
            ("sites", query.Sites is { Count: > 0 } sites ? JsonSerializer.Serialize(sites) : null),
            ("zones", query.Zones is { Count: > 0 } zones ? JsonSerializer.Serialize(zones) : null),
            ("model", query.Model), ("tag", query.Tag), ("risk", query.Risk));
    }

    /// <inheritdoc />
    public async Task<bool> TryChangeStateAsync(IStoreTransaction transaction, string id, IReadOnlyCollection<DeviceState> from, DeviceState to, DateTimeOffset now, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(
            $"UPDATE devices SET state = @to, updated_ms = @now WHERE id = @id AND state IN ({transaction.Dialect().JsonTextValues("from")})",
            cancellationToken,
            ("to", StateName(to)), ("now", now.ToUnixMs()), ("id", id), ("from", JsonSerializer.Serialize(from.Select(StateName)))) == 1;

    /// <inheritdoc />
    public async Task<bool> SetFirmwareVersionAsync(IStoreTransaction transaction, string id, string version, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync("UPDATE devices SET firmware_version = @v WHERE id = @id", cancellationToken, ("v", version), ("id", id)) == 1;

    /// <inheritdoc />
    public async Task<bool> SetZoneAsync(IStoreTransaction transaction, string id, string zone, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync("UPDATE devices SET zone = @zone WHERE id = @id AND state <> 'retired'", cancellationToken, ("zone", zone), ("id", id)) == 1;

    private static string StateName(DeviceState state) => state.ToString().ToLowerInvariant();

    private static Device Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.IsDBNull(1) ? null : reader.GetString(1),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.IsDBNull(5) ? null : reader.GetString(5),
        reader.IsDBNull(6) ? null : reader.GetString(6),
        JsonSerializer.Deserialize<string[]>(reader.GetString(7)) ?? [],
        Enum.Parse<DeviceState>(reader.GetString(8), ignoreCase: true),
        reader.IsDBNull(9) ? null : DateOnly.Parse(reader.GetString(9), System.Globalization.CultureInfo.InvariantCulture),
        DbCommands.FromUnixMs(reader.GetInt64(10)),
        DbCommands.FromUnixMs(reader.GetInt64(11)));
}

/// <summary>The store on a SQLite file, by the name callers outside Storage (tests, bench) know it.</summary>
public sealed class SqliteDeviceStore(Sqlite.SqliteDatabase database) : DeviceStore(database);
