using System.Data.Common;
using Rampart.Posture.Evidence;

namespace Rampart.Storage.Posture;

/// <summary>
/// The statements of <see cref="IDeviceEvidenceReader"/>, the same text for both providers (named <c>@</c>
/// parameters, which SQLite and PostgreSQL both read; counts cast in the reader, not in SQL). Each query uses an
/// index of its table: certificates (profile, subject) and (key_sha256), security_events (device_id, id),
/// alerts (device_id, id), and the primary keys of posture_reports and posture_confinements.
/// </summary>
internal static class DeviceEvidenceSql
{
    public const string Certificates =
        "SELECT serial, subject, key_sha256, not_before_ms, not_after_ms, revoked_ms IS NOT NULL, der FROM certificates WHERE profile = 'device' AND subject = @d";

    public const string KeyHeldElsewhere =
        "SELECT 1 FROM certificates mine JOIN certificates other ON other.key_sha256 = mine.key_sha256 AND other.subject <> mine.subject " +
        "WHERE mine.profile = 'device' AND mine.subject = @d LIMIT 1";

    public const string Posture =
        "SELECT device_id, firmware_version, measurement, listening_ports, reported_ms FROM posture_reports WHERE device_id = @d";

    public const string OpenAlerts = "SELECT COUNT(*) FROM alerts WHERE device_id = @d AND state <> 'resolved'";

    public const string Confinement =
        "SELECT device_id, reason, confined_by, since_ms, released_ms, released_by, release_reason FROM posture_confinements WHERE device_id = @d";

    /// <summary>The device's events of the given kinds (one parameter each, <c>@k0</c>, <c>@k1</c>, …) since <c>@since</c>.</summary>
    public static string EventCounts(int kinds) =>
        "SELECT device_id, kind, COUNT(*) FROM security_events WHERE device_id = @d AND time_ms >= @since AND kind IN ("
        + string.Join(", ", Enumerable.Range(0, kinds).Select(i => "@k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ") GROUP BY device_id, kind";

    /// <summary>The parameters of <see cref="EventCounts"/>, named with <paramref name="prefix"/> (<c>@</c> for SQLite, none for Npgsql).</summary>
    public static (string Name, object? Value)[] EventParameters(string prefix, string deviceId, IReadOnlyList<string> kinds, DateTimeOffset since) =>
        [(prefix + "d", deviceId), (prefix + "since", since.ToUnixTimeMilliseconds()), .. kinds.Select((kind, i) => (prefix + "k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), (object?)kind))];

    public static EventCount Event(DbDataReader reader) => new(reader.GetString(0), reader.GetString(1), Convert.ToInt32(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture));

    public static int Count(object? value) => value is null or DBNull ? 0 : Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
}
