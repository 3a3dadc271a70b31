using System.Text.Json;
using Rampart.Fleet.Audit;
using Rampart.Storage.Sql;
using Rampart.SupplyChain.Exposure;
using Rampart.SupplyChain.Stores;

namespace Rampart.Storage.SupplyChain;

/// <summary>
/// The stored exposure result the console pages read (issue 22, migration 0037): lines walked in rank order by the
/// primary key (or by (scope, rank) for a device's scopes), never the fleet.
/// </summary>
public partial class SupplyChainStore
{
    private const string LineColumns = "rank, scope, vulnerability, severity, known_exploited, component, version, fixed_by, status";

    /// <inheritdoc />
    public Task<ExposureResultStamp?> ResultStampAsync(CancellationToken cancellationToken) =>
        database.QuerySingleAsync("SELECT computed_ms, digest FROM exposure_result WHERE id = 1",
            reader => new ExposureResultStamp(DbCommands.FromUnixMs(reader.GetInt64(0)), reader.GetString(1)), cancellationToken);

    /// <inheritdoc />
    public async Task ReplaceResultAsync(IStoreTransaction transaction, ExposureResult result, DateTimeOffset computed, CancellationToken cancellationToken)
    {
        foreach (var table in new[] { "exposure_lines", "exposure_scopes", "exposure_device_scopes", "exposure_result" })
        {
            await transaction.ExecuteAsync($"DELETE FROM {table}", cancellationToken);
        }

        var commands = CommandTransactions.Of(transaction);
        var lines = result.Lines;
        await commands.Dialect.InsertRowsAsync(commands.Command, "exposure_lines",
        [
            new("rank", BatchType.Text, i => lines[i].Rank),
            new("scope", BatchType.Text, i => lines[i].Scope),
            new("vulnerability", BatchType.Text, i => lines[i].Vulnerability),
            new("severity", BatchType.Text, i => lines[i].Severity),
            new("known_exploited", BatchType.Text, i => lines[i].KnownExploited),
            new("component", BatchType.Text, i => lines[i].Component),
            new("version", BatchType.Text, i => lines[i].Version),
            new("fixed_by", BatchType.Text, i => lines[i].FixedBy),
            new("status", BatchType.Text, i => lines[i].Status),
        ], lines.Count, string.Empty, cancellationToken);
        var scopes = result.Scopes;
        await commands.Dialect.InsertRowsAsync(commands.Command, "exposure_scopes",
        [
            new("scope", BatchType.Text, i => scopes[i].Scope),
            new("devices", BatchType.Integer, i => (long)scopes[i].Devices),
            new("open_lines", BatchType.Integer, i => (long)scopes[i].OpenLines),
            new("closed_lines", BatchType.Integer, i => (long)scopes[i].ClosedLines),
        ], scopes.Count, string.Empty, cancellationToken);
        var devices = result.DeviceScopes;
        await commands.Dialect.InsertRowsAsync(commands.Command, "exposure_device_scopes",
        [
            new("scope", BatchType.Text, i => devices[i].Scope),
            new("device_id", BatchType.Text, i => devices[i].DeviceId),
        ], devices.Count, string.Empty, cancellationToken);
        await transaction.ExecuteAsync("INSERT INTO exposure_result (id, computed_ms, digest) VALUES (1, @computed, @digest)", cancellationToken,
            ("computed", computed.ToUnixMs()), ("digest", result.Digest()));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredExposureLine>> LinesAsync(IReadOnlyList<string>? scopes, bool closed, string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 1000);
        if (scopes is { Count: 0 })
        {
            return [];
        }

        // Only the bounds given, so the primary key (or (scope, rank)) is walked from the cursor.
        var sql = $"SELECT {LineColumns} FROM exposure_lines WHERE 1 = 1" +
            (scopes is not null ? $" AND scope IN ({database.Dialect.JsonTextValues("scopes")})" : string.Empty) +
            (after is not null ? " AND rank > @after" : string.Empty) +
            (closed ? string.Empty : " AND rank < @closedFrom") +
            " ORDER BY rank LIMIT @limit";
        return await database.QueryAsync(sql, reader => new StoredExposureLine(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetString(8)),
            cancellationToken, ("scopes", scopes is null ? null : JsonSerializer.Serialize(scopes)), ("after", after), ("closedFrom", ExposureResult.ClosedFrom), ("limit", limit));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ExposureScopeTally>> ScopesAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT scope, devices, open_lines, closed_lines FROM exposure_scopes ORDER BY scope",
            reader => new ExposureScopeTally(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3)), cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ScopesOfDeviceAsync(string deviceId, CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT scope FROM exposure_device_scopes WHERE device_id = @device ORDER BY scope", reader => reader.GetString(0),
            cancellationToken, ("device", deviceId));

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, (int Devices, IReadOnlyList<string> First)>> DevicesAsync(
        IReadOnlyList<string> scopes, DeviceScope viewer, int listed, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, (int, IReadOnlyList<string>)>(StringComparer.Ordinal);
        if (scopes.Count == 0)
        {
            return result;
        }

        var scopeJson = JsonSerializer.Serialize(scopes.Distinct(StringComparer.Ordinal));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        string filter;
        (string, object?)[] parameters;
        if (viewer.Whole)
        {
            // The whole fleet: the counts as the recompute stored them.
            foreach (var (scope, devices) in await database.QueryAsync($"SELECT scope, devices FROM exposure_scopes WHERE scope IN ({database.Dialect.JsonTextValues("scopes")})",
                         reader => (reader.GetString(0), reader.GetInt32(1)), cancellationToken, ("scopes", scopeJson)))
            {
                counts[scope] = devices;
            }

            filter = "FROM exposure_device_scopes e WHERE e.scope = @scope";
            parameters = [];
        }
        else
        {
            // A scoped operator: the devices within their sites and zones now (as DeviceQuery applies them: both when both are given).
            filter = "FROM exposure_device_scopes e JOIN devices d ON d.id = e.device_id WHERE e.scope = @scope AND d.state <> 'retired'" +
                (viewer.Sites.Count > 0 ? $" AND d.site IN ({database.Dialect.JsonTextValues("sites")})" : string.Empty) +
                (viewer.Zones.Count > 0 ? $" AND d.zone IN ({database.Dialect.JsonTextValues("zones")})" : string.Empty);
            parameters = [("sites", JsonSerializer.Serialize(viewer.Sites)), ("zones", JsonSerializer.Serialize(viewer.Zones))];
        }

        foreach (var scope in scopes.Distinct(StringComparer.Ordinal))
        {
            var bind = parameters.Append(("scope", scope)).ToArray();
            var first = await database.QueryAsync($"SELECT e.device_id {filter} ORDER BY e.device_id LIMIT @listed", reader => reader.GetString(0),
                cancellationToken, [.. bind, ("listed", listed)]);
            var count = viewer.Whole ? counts.GetValueOrDefault(scope)
                : first.Count < listed ? first.Count
                : (await database.QueryAsync($"SELECT COUNT(*) {filter}", reader => reader.GetInt64(0), cancellationToken, bind)).Single();
            result[scope] = ((int)count, first);
        }

        return result;
    }
}
