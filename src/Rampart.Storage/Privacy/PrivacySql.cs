using System.Data.Common;
using Rampart.Privacy.Keys;
using Rampart.Privacy.Subjects;

namespace Rampart.Storage.Privacy;

/// <summary>
/// The privacy stores' statements, shared by both providers: plain SQL with <c>@name</c> parameters,
/// which SQLite and PostgreSQL both accept, and the row mappings over <see cref="DbDataReader"/>.
/// </summary>
internal static class PrivacySql
{
    public const string InsertSubject = "INSERT INTO privacy_subjects (pseudonym, region, sealed, created_ms) VALUES (@p, @r, @s, @t) ON CONFLICT (pseudonym) DO NOTHING";
    public const string InsertKey = "INSERT INTO privacy_subject_keys (pseudonym, kek_version, wrapped_key) VALUES (@p, @v, @k)";
    public const string SelectSubject = "SELECT pseudonym, region, sealed, created_ms FROM privacy_subjects WHERE pseudonym = @p";
    public const string SelectKey = "SELECT kek_version, wrapped_key FROM privacy_subject_keys WHERE pseudonym = @p";
    public const string LinkDevice = "INSERT INTO privacy_subject_devices (device_id, pseudonym) VALUES (@d, @p) ON CONFLICT (device_id) DO NOTHING";
    public const string OwnerOfDevice = "SELECT pseudonym FROM privacy_subject_devices WHERE device_id = @d";
    public const string UpsertConsent =
        "INSERT INTO privacy_consents (pseudonym, purpose, granted, changed_ms) VALUES (@p, @u, @g, @t) " +
        "ON CONFLICT (pseudonym, purpose) DO UPDATE SET granted = excluded.granted, changed_ms = excluded.changed_ms";
    public const string SelectConsents = "SELECT pseudonym, purpose, granted, changed_ms FROM privacy_consents WHERE pseudonym = @p ORDER BY purpose";
    public const string SelectDevices = "SELECT device_id FROM privacy_subject_devices WHERE pseudonym = @p ORDER BY device_id";
    public const string SelectAllSubjects = "SELECT pseudonym, region FROM privacy_subjects";
    public const string SelectAllDevices = "SELECT pseudonym, device_id FROM privacy_subject_devices";
    public const string SelectAllGranted = "SELECT pseudonym, purpose FROM privacy_consents WHERE granted = 1";
    public const string DestroyKey = "DELETE FROM privacy_subject_keys WHERE pseudonym = @p";
    public const string DeleteConsents = "DELETE FROM privacy_consents WHERE pseudonym = @p";
    public const string DeleteDevices = "DELETE FROM privacy_subject_devices WHERE pseudonym = @p";
    public const string DeleteSubject = "DELETE FROM privacy_subjects WHERE pseudonym = @p";
    public const string KeysBefore = "SELECT pseudonym, kek_version, wrapped_key FROM privacy_subject_keys WHERE kek_version < @v ORDER BY pseudonym LIMIT @n";
    public const string ReplaceKeySet = "kek_version = {v}, wrapped_key = {k}";
    public const string ReplaceKeyWhere = "pseudonym = {p} AND kek_version = {old}";
    public const string SelectPeriods = "SELECT category, days FROM privacy_retention";
    public const string UpsertPeriod =
        "INSERT INTO privacy_retention (category, days, changed_ms) VALUES (@c, @d, @t) ON CONFLICT (category) DO UPDATE SET days = excluded.days, changed_ms = excluded.changed_ms";

    /// <summary>The deletion that enforces each retention category (counts only; nothing is read).</summary>
    public static string Expiry(string category) => category switch
    {
        "security-events" => "DELETE FROM security_events WHERE time_ms < @cutoff",
        "invitations" => "DELETE FROM invitations WHERE expires_ms < @cutoff",
        "approvals" => "DELETE FROM approvals WHERE requested_ms < @cutoff AND (status <> 'pending' OR expires_ms < @cutoff)",
        "consents-withdrawn" => "DELETE FROM privacy_consents WHERE granted = 0 AND changed_ms < @cutoff",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "no such retention category"),
    };

    public static StoredSubject Subject(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)));

    public static WrappedKey Key(DbDataReader reader) => new(reader.GetInt32(0), (byte[])reader.GetValue(1));

    public static Consent Consent(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt32(2) == 1, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)));

    public static (string, WrappedKey) PseudonymAndKey(DbDataReader reader) => (reader.GetString(0), new WrappedKey(reader.GetInt32(1), (byte[])reader.GetValue(2)));

    /// <summary>Joins the three reads of <see cref="ISubjectStore.RoutingAsync"/> into one routing per subject.</summary>
    public static IReadOnlyList<SubjectRouting> Routing(
        IEnumerable<(string Pseudonym, string Region)> subjects, IEnumerable<(string Pseudonym, string Device)> devices, IEnumerable<(string Pseudonym, string Purpose)> granted)
    {
        var byDevice = devices.GroupBy(d => d.Pseudonym, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(d => d.Device).ToArray(), StringComparer.Ordinal);
        var byConsent = granted.GroupBy(c => c.Pseudonym, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(c => c.Purpose).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        return subjects.Select(s => new SubjectRouting(s.Pseudonym, s.Region, byDevice.GetValueOrDefault(s.Pseudonym) ?? [],
            byConsent.GetValueOrDefault(s.Pseudonym) ?? new HashSet<string>(StringComparer.Ordinal))).ToArray();
    }
}
