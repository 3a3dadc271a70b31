using System.Text.Json;
using Rampart.Fleet.Inventory;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Inventory;

/// <summary>The console's inventory counts (issue 22), on either provider.</summary>
public sealed class FleetSummaryStore(IStoreDatabase database) : IFleetSummaryStore
{
    private readonly string _scope =
        $"(CAST(@sites AS text) IS NULL OR d.site IN ({database.Dialect.JsonTextValues("sites")})) " +
        $"AND (CAST(@zones AS text) IS NULL OR d.zone IN ({database.Dialect.JsonTextValues("zones")}))";

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<DeviceState, long>> CountByStateAsync(IReadOnlyList<string>? sites, IReadOnlyList<string>? zones, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync(
            $"SELECT d.state, count(*) FROM devices d WHERE {_scope} GROUP BY d.state",
            reader => (Enum.Parse<DeviceState>(reader.GetString(0), ignoreCase: true), reader.GetInt64(1)),
            cancellationToken,
            ("sites", Json(sites)), ("zones", Json(zones)));
        return rows.ToDictionary(r => r.Item1, r => r.Item2);
    }

    /// <inheritdoc />
    public async Task<long> CountCertificatesExpiringAsync(DateTimeOffset from, DateTimeOffset until, IReadOnlyList<string>? sites, IReadOnlyList<string>? zones,
        CancellationToken cancellationToken) =>
        Convert.ToInt64(await database.ScalarAsync(
            "SELECT count(*) FROM (SELECT subject, max(not_after_ms) AS last FROM certificates WHERE profile = 'device' AND revoked_ms IS NULL GROUP BY subject) c " +
            $"JOIN devices d ON d.id = c.subject WHERE c.last >= @from AND c.last < @until AND d.state <> 'retired' AND {_scope}",
            cancellationToken,
            ("from", from.ToUnixMs()), ("until", until.ToUnixMs()), ("sites", Json(sites)), ("zones", Json(zones))) ?? 0L,
            System.Globalization.CultureInfo.InvariantCulture);

    private static string? Json(IReadOnlyList<string>? values) => values is { Count: > 0 } ? JsonSerializer.Serialize(values) : null;
}
