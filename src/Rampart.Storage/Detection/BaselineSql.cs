using System.Data.Common;
using Rampart.Detection.Baselines;

namespace Rampart.Storage.Detection;

/// <summary>
/// The baseline store's statements (migration 0014), shared by both providers: plain SQL with
/// <c>@name</c> parameters, which SQLite and PostgreSQL both accept, and the row mapping.
/// </summary>
internal static class BaselineSql
{
    public const string OnConflict = "ON CONFLICT (device_id) DO UPDATE SET saved_ms = excluded.saved_ms, state = excluded.state";

    public const string SelectNewest = "SELECT device_id, saved_ms, state FROM device_baselines ORDER BY saved_ms DESC, device_id LIMIT @n";

    public const string DeleteBefore = "DELETE FROM device_baselines WHERE saved_ms < @cutoff";

    public static StoredBaseline Baseline(DbDataReader reader) =>
        new(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), (byte[])reader.GetValue(2));
}
