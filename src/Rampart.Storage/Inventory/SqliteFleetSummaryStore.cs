using System.Text.Json;
using Rampart.Fleet.Inventory;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Inventory;

/// <summary>The console's inventory counts in SQLite.</summary>
public sealed class SqliteFleetSummaryStore(SqliteDatabase database) : IFleetSummaryStore
{
    private const string Scope =
        "($sites IS NULL OR d.site IN (SELECT value FROM json_each($sites))) AND ($zones IS NULL OR d.zone IN (SELECT value FROM json_each($zones)))";

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<DeviceState, long>> CountByStateAsync(IReadOnlyList<string>? sites, IReadOnlyList<string>? zones, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync(
            $"SELECT d.state, count(*) FROM devices d WHERE {Scope} GROUP BY d.state",
            reader => (Enum.Parse<DeviceState>(reader.GetString(0), ignoreCase: true), reader.GetInt64(1)),
            cancellationToken,
            ("$sites", Json(sites)), ("$zones", Json(zones)));
        return rows.ToDictionary(r => r.Item1, r => r.Item2);
    }

    /// <inheritdoc />
    public async Task<long> CountCertificatesExpiringAsync(DateTimeOffset from, DateTimeOffset until, IReadOnlyList<string>? sites, IReadOnlyList<string>? zones,
        CancellationToken cancellationToken) =>
        (long)(await database.ScalarAsync(
            "SELECT count(*) FROM (SELECT subject, max(not_after_ms) AS last FROM certificates WHERE profile = 'device' AND revoked_ms IS NULL GROUP BY subject) c " +
            $"JOIN devices d ON d.id = c.subject WHERE c.last >= $from AND c.last < $until AND d.state <> 'retired' AND {Scope}",
            cancellationToken,
            ("$from", from.ToUnixMs()), ("$until", until.ToUnixMs()), ("$sites", Json(sites)), ("$zones", Json(zones))) ?? 0L);

    private static string? Json(IReadOnlyList<string>? values) => values is { Count: > 0 } ? JsonSerializer.Serialize(values) : null;
}
