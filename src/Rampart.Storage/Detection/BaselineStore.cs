using Rampart.Detection.Baselines;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Detection;

/// <summary>
/// The devices' learned baselines on either provider (migration 0014): one row per device, replaced
/// when saved; a save's rows are one batch (<see cref="ISqlDialect.InsertRowsAsync"/>: prepared rows on
/// SQLite, one statement of arrays on PostgreSQL).
/// </summary>
public sealed class BaselineStore(IStoreDatabase database) : IBaselineStore
{
    /// <inheritdoc />
    public async Task SaveAsync(IReadOnlyList<StoredBaseline> baselines, CancellationToken cancellationToken)
    {
        await database.InsertRowsAsync(
            "device_baselines",
            [
                new("device_id", BatchType.Text, i => baselines[i].DeviceId),
                new("saved_ms", BatchType.Integer, i => baselines[i].SavedAt.ToUnixMs()),
                new("state", BatchType.Bytes, i => baselines[i].State),
            ],
            baselines.Count, BaselineSql.OnConflict, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredBaseline>> LoadAsync(int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(BaselineSql.SelectNewest, BaselineSql.Baseline, cancellationToken, ("n", limit));

    /// <inheritdoc />
    public Task<int> DeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        database.ExecuteAsync(BaselineSql.DeleteBefore, cancellationToken, ("cutoff", cutoff.ToUnixMs()));
}
