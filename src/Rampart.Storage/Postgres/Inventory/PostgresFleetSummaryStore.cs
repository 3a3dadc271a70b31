using System.Text.Json;
using Rampart.Fleet.Inventory;

namespace Rampart.Storage.Postgres.Inventory;

/// <summary>The console's inventory counts in PostgreSQL.</summary>
public sealed class PostgresFleetSummaryStore(PostgresDatabase database) : IFleetSummaryStore
{
    private const string Scope =
        "(CAST(@sites AS text) IS NULL OR d.site IN (SELECT value FROM json_array_elements_text(CAST(@sites AS json)))) " +
        "AND (CAST(@zones AS text) IS NULL OR d.zone IN (SELECT value FROM json_array_elements_text(CAST(@zones AS json))))";

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<DeviceState, long>> CountByStateAsync(IReadOnlyList<string>? sites, IReadOnlyList<string>? zones, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync(
            $"SELECT d.state, count(*) FROM devices d WHERE {Scope} GROUP BY d.state",
            reader => (Enum.Parse<DeviceState>(reader.GetString(0), ignoreCase: true), reader.GetInt64(1)),
            cancellationToken,
            ("@sites", Json(sites)), ("@zones", Json(zones)));
        return rows.ToDictionary(r => r.Item1, r => r.Item2);
    }

    /// <inheritdoc />
    public async Task<long> CountCertificatesExpiringAsync(DateTimeOffset from, DateTimeOffset until, IReadOnlyList<string>? sites, IReadOnlyList<string>? zones,
        CancellationToken cancellationToken) =>
        Convert.ToInt64(await database.ScalarAsync(
            "SELECT count(*) FROM (SELECT subject, max(not_after_ms) AS last FROM certificates WHERE profile = 'device' AND revoked_ms IS NULL GROUP BY subject) c " +
            $"JOIN devices d ON d.id = c.subject WHERE c.last >= @from AND c.last < @until AND d.state <> 'retired' AND {Scope}",
            cancellationToken,
            ("@from", from.ToUnixMs()), ("@until", until.ToUnixMs()), ("@sites", Json(sites)), ("@zones", Json(zones))) ?? 0L,
            System.Globalization.CultureInfo.InvariantCulture);

    private static string? Json(IReadOnlyList<string>? values) => values is { Count: > 0 } ? JsonSerializer.Serialize(values) : null;
}
