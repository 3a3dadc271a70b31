using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rampart.Fleet.Inventory;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Inventory;

/// <summary>The inventory in SQLite.</summary>
public sealed class SqliteDeviceStore(SqliteDatabase database) : IDeviceStore
{
    private const string Columns = "id, model, vendor, hardware_rev, firmware_version, site, zone, tags, state, support_until, created_ms, updated_ms";

    /// <inheritdoc />
    public async Task<bool> TryAddAsync(Device device, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var insert = connection.Command(
            $"INSERT INTO devices ({Columns}) VALUES ($id, $model, $vendor, $hw, $fw, $site, $zone, $tags, $state, $support, $created, $updated) ON CONFLICT (id) DO NOTHING")
            .With("$id", device.Id).With("$model", device.Model).With("$vendor", device.Vendor).With("$hw", device.HardwareRevision)
            .With("$fw", device.FirmwareVersion).With("$site", device.Site).With("$zone", device.Zone)
            .With("$tags", JsonSerializer.Serialize(device.Tags)).With("$state", StateName(device.State))
            .With("$support", device.SupportUntil?.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
            .With("$created", device.Created.ToUnixMs()).With("$updated", device.Updated.ToUnixMs());
        return await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <inheritdoc />
    public async Task<Device?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command($"SELECT {Columns} FROM devices WHERE id = $id").With("$id", id);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Device>> ListAsync(DeviceQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command(
            $"SELECT {Columns} FROM devices WHERE id > $after AND ($state IS NULL OR state = $state) " +
            "AND ($sites IS NULL OR site IN (SELECT value FROM json_each($sites))) AND ($zones IS NULL OR zone IN (SELECT value FROM json_each($zones))) " +
            "ORDER BY id LIMIT $limit")
            .With("$after", query.After ?? string.Empty).With("$state", query.State is { } state ? StateName(state) : null).With("$limit", query.Limit)
            .With("$sites", query.Sites is { Count: > 0 } sites ? JsonSerializer.Serialize(sites) : null)
            .With("$zones", query.Zones is { Count: > 0 } zones ? JsonSerializer.Serialize(zones) : null);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var devices = new List<Device>();
        while (await reader.ReadAsync(cancellationToken))
        {
            devices.Add(Read(reader));
        }

        return devices;
    }

    /// <inheritdoc />
    public async Task<bool> TryChangeStateAsync(string id, IReadOnlyCollection<DeviceState> from, DeviceState to, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var update = connection.Command(
            "UPDATE devices SET state = $to, updated_ms = $now WHERE id = $id AND state IN (SELECT value FROM json_each($from))")
            .With("$to", StateName(to)).With("$now", now.ToUnixMs()).With("$id", id)
            .With("$from", JsonSerializer.Serialize(from.Select(StateName)));
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static string StateName(DeviceState state) => state.ToString().ToLowerInvariant();

    private static Device Read(SqliteDataReader reader) => new(
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
        SqliteCommands.FromUnixMs(reader.GetInt64(10)),
        SqliteCommands.FromUnixMs(reader.GetInt64(11)));
}
