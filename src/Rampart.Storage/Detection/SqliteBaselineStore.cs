using Microsoft.Data.Sqlite;
using Rampart.Detection.Baselines;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Detection;

/// <summary>The devices' learned baselines in SQLite (migration 0014): one row per device, replaced when saved.</summary>
public sealed class SqliteBaselineStore(SqliteDatabase database) : IBaselineStore
{
    /// <inheritdoc />
    public async Task SaveAsync(IReadOnlyList<StoredBaseline> baselines, CancellationToken cancellationToken)
    {
        if (baselines.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using (var upsert = connection.Command(BaselineSql.Upsert, transaction))
        {
            var device = upsert.Parameters.Add("@d", SqliteType.Text);
            var saved = upsert.Parameters.Add("@t", SqliteType.Integer);
            var state = upsert.Parameters.Add("@s", SqliteType.Blob);
            foreach (var baseline in baselines)
            {
                (device.Value, saved.Value, state.Value) = (baseline.DeviceId, baseline.SavedAt.ToUnixMs(), baseline.State);
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredBaseline>> LoadAsync(int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(BaselineSql.SelectNewest, BaselineSql.Baseline, cancellationToken, ("@n", limit));

    /// <inheritdoc />
    public Task<int> DeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        database.ExecuteAsync(BaselineSql.DeleteBefore, cancellationToken, ("@cutoff", cutoff.ToUnixMs()));
}
