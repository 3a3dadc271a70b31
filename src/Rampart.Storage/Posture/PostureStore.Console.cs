using System.Text.Json;
using Rampart.Fleet.Audit;
using Rampart.Posture.Risk;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Posture;

/// <summary>What the web console reads of posture (issue 22): each device's risk as of the last fleet audit run (table device_risk, migrations 0035 and 0037: band, score and factors), riskiest first, and the latest snapshot.</summary>
public sealed partial class PostureStore
{
    /// <inheritdoc />
    public async Task ReplaceDeviceRisksAsync(IStoreTransaction transaction, IReadOnlyList<RiskScore> risks, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await transaction.ExecuteAsync("DELETE FROM device_risk", cancellationToken);
        var scored = risks.Where(r => r.DeviceId.Length > 0).DistinctBy(r => r.DeviceId, StringComparer.Ordinal).ToArray();
        if (scored.Length == 0)
        {
            return;
        }

        var commands = CommandTransactions.Of(transaction);
        await commands.Dialect.InsertRowsAsync(
            commands.Command, "device_risk",
            [
                new("device_id", BatchType.Text, i => scored[i].DeviceId),
                new("band", BatchType.Text, i => scored[i].Band),
                new("score", BatchType.Integer, i => (long)scored[i].Score),
                new("assessed_ms", BatchType.Integer, _ => at.ToUnixMs()),
                new("factors", BatchType.Text, i => JsonSerializer.Serialize(scored[i].Factors)),
            ],
            scored.Length, string.Empty, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DeviceRisk>> DeviceRisksAsync(IReadOnlyList<string> deviceIds, CancellationToken cancellationToken)
    {
        if (deviceIds.Count == 0)
        {
            return [];
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(deviceIds.Count, 1000);
        return await database.QueryAsync(
            $"SELECT device_id, band, score, assessed_ms FROM device_risk WHERE device_id IN ({database.Dialect.JsonTextValues("ids")}) ORDER BY device_id",
            reader => new DeviceRisk(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), DbCommands.FromUnixMs(reader.GetInt64(3))),
            cancellationToken, ("ids", JsonSerializer.Serialize(deviceIds)));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredRisk>> RiskiestAsync((int Score, string DeviceId)? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 1000);

        // Keyset in (score DESC, device_id) order, the index of migration 0037.
        var sql = "SELECT device_id, band, score, factors, assessed_ms FROM device_risk" +
            (after is not null ? " WHERE score < @score OR (score = @score AND device_id > @device)" : string.Empty) +
            " ORDER BY score DESC, device_id LIMIT @limit";
        return await database.QueryAsync(sql,
            reader => new StoredRisk(reader.GetString(0), reader.GetString(1), reader.GetInt32(2),
                JsonSerializer.Deserialize<Dictionary<string, int>>(reader.GetString(3)) ?? [], DbCommands.FromUnixMs(reader.GetInt64(4))),
            cancellationToken, ("score", after?.Score), ("device", after?.DeviceId), ("limit", limit));
    }

    /// <inheritdoc />
    public Task<PostureSnapshot?> LatestSnapshotAsync(CancellationToken cancellationToken) =>
        database.QuerySingleAsync("SELECT document FROM posture_snapshots ORDER BY at_ms DESC, id DESC", PostureRows.Snapshot, cancellationToken);
}
