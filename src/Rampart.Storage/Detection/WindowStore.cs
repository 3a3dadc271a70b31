using Rampart.Detection.Metrics;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Detection;

/// <summary>
/// Closed behaviour windows, on either provider (migration 0012): one row per device and window, the
/// values as a 68-byte blob; a pass's windows are one batch (<see cref="ISqlDialect.InsertRowsAsync"/>).
/// </summary>
public sealed class WindowStore(IStoreDatabase database) : IWindowStore
{
    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<StoredWindow> windows, CancellationToken cancellationToken)
    {
        await database.InsertRowsAsync(
            "behaviour_windows",
            [
                new("device_id", BatchType.Text, i => windows[i].DeviceId),
                new("start_ms", BatchType.Integer, i => windows[i].Start.ToUnixMs()),
                new("end_ms", BatchType.Integer, i => windows[i].End.ToUnixMs()),
                new("metrics", BatchType.Bytes, i => windows[i].Pack()),
            ],
            windows.Count, "ON CONFLICT (device_id, start_ms) DO NOTHING", cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredWindow>> RecentAsync(DateTimeOffset since, int perDevice, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT device_id, start_ms, end_ms, metrics FROM (SELECT device_id, start_ms, end_ms, metrics, ROW_NUMBER() OVER (PARTITION BY device_id ORDER BY end_ms DESC) AS n " +
            "FROM behaviour_windows WHERE end_ms > @since) AS newest WHERE n <= @per ORDER BY end_ms, device_id",
            reader => new StoredWindow(reader.GetString(0), DbCommands.FromUnixMs(reader.GetInt64(1)), DbCommands.FromUnixMs(reader.GetInt64(2)),
                StoredWindow.Unpack((byte[])reader.GetValue(3))),
            cancellationToken, ("since", since.ToUnixMs()), ("per", perDevice));

    /// <inheritdoc />
    public Task<int> DeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM behaviour_windows WHERE end_ms < @cutoff", cancellationToken, ("cutoff", cutoff.ToUnixMs()));
}
