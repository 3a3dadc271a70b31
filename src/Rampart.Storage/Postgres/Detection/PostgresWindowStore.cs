using Rampart.Detection.Metrics;

namespace Rampart.Storage.Postgres.Detection;

/// <summary>Closed behaviour windows in PostgreSQL (migration 0012): a pass's windows in one statement over arrays.</summary>
public sealed class PostgresWindowStore(PostgresDatabase database) : IWindowStore
{
    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<StoredWindow> windows, CancellationToken cancellationToken)
    {
        if (windows.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var insert = connection.Command(
            "INSERT INTO behaviour_windows (device_id, start_ms, end_ms, metrics) SELECT * FROM unnest(@d, @s, @e, @m) ON CONFLICT (device_id, start_ms) DO NOTHING");
        insert.Parameters.AddWithValue("d", windows.Select(w => w.DeviceId).ToArray());
        insert.Parameters.AddWithValue("s", windows.Select(w => w.Start.ToUnixMs()).ToArray());
        insert.Parameters.AddWithValue("e", windows.Select(w => w.End.ToUnixMs()).ToArray());
        insert.Parameters.AddWithValue("m", windows.Select(w => w.Pack()).ToArray());
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredWindow>> RecentAsync(DateTimeOffset since, int perDevice, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT device_id, start_ms, end_ms, metrics FROM (SELECT device_id, start_ms, end_ms, metrics, ROW_NUMBER() OVER (PARTITION BY device_id ORDER BY end_ms DESC) AS n " +
            "FROM behaviour_windows WHERE end_ms > @since) AS newest WHERE n <= @per ORDER BY end_ms, device_id",
            reader => new StoredWindow(reader.GetString(0), PostgresCommands.FromUnixMs(reader.GetInt64(1)), PostgresCommands.FromUnixMs(reader.GetInt64(2)),
                StoredWindow.Unpack((byte[])reader.GetValue(3))),
            cancellationToken, ("since", since.ToUnixMs()), ("per", perDevice));

    /// <inheritdoc />
    public Task<int> DeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM behaviour_windows WHERE end_ms < @cutoff", cancellationToken, ("cutoff", cutoff.ToUnixMs()));
}
