using Microsoft.Data.Sqlite;
using Rampart.Detection.Metrics;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Detection;

/// <summary>Closed behaviour windows in SQLite (migration 0012): one row per device and window, the values as a 68-byte blob.</summary>
public sealed class SqliteWindowStore(SqliteDatabase database) : IWindowStore
{
    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<StoredWindow> windows, CancellationToken cancellationToken)
    {
        if (windows.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using (var insert = connection.Command(
            "INSERT INTO behaviour_windows (device_id, start_ms, end_ms, metrics) VALUES ($d, $start, $end, $m) ON CONFLICT (device_id, start_ms) DO NOTHING", transaction))
        {
            var device = insert.Parameters.Add("$d", SqliteType.Text);
            var start = insert.Parameters.Add("$start", SqliteType.Integer);
            var end = insert.Parameters.Add("$end", SqliteType.Integer);
            var metrics = insert.Parameters.Add("$m", SqliteType.Blob);
            foreach (var window in windows)
            {
                (device.Value, start.Value, end.Value, metrics.Value) = (window.DeviceId, window.Start.ToUnixMs(), window.End.ToUnixMs(), window.Pack());
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredWindow>> RecentAsync(DateTimeOffset since, int perDevice, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT device_id, start_ms, end_ms, metrics FROM (SELECT device_id, start_ms, end_ms, metrics, ROW_NUMBER() OVER (PARTITION BY device_id ORDER BY end_ms DESC) AS n " +
            "FROM behaviour_windows WHERE end_ms > $since) AS newest WHERE n <= $per ORDER BY end_ms, device_id",
            reader => new StoredWindow(reader.GetString(0), SqliteCommands.FromUnixMs(reader.GetInt64(1)), SqliteCommands.FromUnixMs(reader.GetInt64(2)),
                StoredWindow.Unpack((byte[])reader.GetValue(3))),
            cancellationToken, ("$since", since.ToUnixMs()), ("$per", perDevice));

    /// <inheritdoc />
    public Task<int> DeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM behaviour_windows WHERE end_ms < $cutoff", cancellationToken, ("$cutoff", cutoff.ToUnixMs()));
}
