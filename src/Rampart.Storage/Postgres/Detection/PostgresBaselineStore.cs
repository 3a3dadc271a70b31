using Rampart.Detection.Baselines;
using Rampart.Storage.Detection;

namespace Rampart.Storage.Postgres.Detection;

/// <summary>The devices' learned baselines in PostgreSQL (migration 0014): a save's rows in one statement over arrays.</summary>
public sealed class PostgresBaselineStore(PostgresDatabase database) : IBaselineStore
{
    /// <inheritdoc />
    public async Task SaveAsync(IReadOnlyList<StoredBaseline> baselines, CancellationToken cancellationToken)
    {
        if (baselines.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var upsert = connection.Command(
            "INSERT INTO device_baselines (device_id, saved_ms, state) SELECT * FROM unnest(@d, @t, @s) " +
            "ON CONFLICT (device_id) DO UPDATE SET saved_ms = excluded.saved_ms, state = excluded.state");
        upsert.Parameters.AddWithValue("d", baselines.Select(b => b.DeviceId).ToArray());
        upsert.Parameters.AddWithValue("t", baselines.Select(b => b.SavedAt.ToUnixMs()).ToArray());
        upsert.Parameters.AddWithValue("s", baselines.Select(b => b.State).ToArray());
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredBaseline>> LoadAsync(int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(BaselineSql.SelectNewest, BaselineSql.Baseline, cancellationToken, ("n", limit));

    /// <inheritdoc />
    public Task<int> DeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        database.ExecuteAsync(BaselineSql.DeleteBefore, cancellationToken, ("cutoff", cutoff.ToUnixMs()));
}
