using System.Data.Common;
using System.Text.Json;
using Rampart.Fleet.Enrollment;
using Rampart.Posture;
using Rampart.Posture.Evidence;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Models;
using Rampart.Posture.Risk;
using Rampart.Posture.Zones;

namespace Rampart.Storage.Posture;

/// <summary>Rows of posture's tables read back, the same for both providers (the column order of each query).</summary>
internal static class PostureRows
{
    private static DateTimeOffset Ms(DbDataReader reader, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static ModelRecord Model(DbDataReader reader) =>
        new(DeviceModelDocument.FromJson(reader.GetString(0)), PostureJson.Deserialize<Admission>(reader.GetString(1)), reader.GetString(2), Ms(reader, 3));

    public static ReportedPosture Report(DbDataReader reader) =>
        new(reader.GetString(0), Text(reader, 1), Text(reader, 2), JsonSerializer.Deserialize<int[]>(reader.GetString(3)) ?? [], Ms(reader, 4));

    public static Confinement Confinement(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), Ms(reader, 3),
            reader.IsDBNull(4) ? null : Ms(reader, 4), Text(reader, 5), Text(reader, 6));

    public static AuditRun Run(DbDataReader reader) => PostureJson.Deserialize<AuditRun>(reader.GetString(0));

    public static PostureSnapshot Snapshot(DbDataReader reader) => PostureJson.Deserialize<PostureSnapshot>(reader.GetString(0));

    public static Suppression Suppression(DbDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), Text(reader, 2), Ms(reader, 3), reader.GetString(4), reader.GetString(5), Ms(reader, 6));

    public static CertificateRow Certificate(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), Ms(reader, 3), Ms(reader, 4), reader.GetBoolean(5), (byte[])reader.GetValue(6));

    public static BootstrapTokenRecord Token(DbDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), [], Ms(reader, 2), Ms(reader, 3), null, null);

    public static EventCount Events(DbDataReader reader) => new(reader.GetString(0), reader.GetString(1), reader.GetInt32(2));
}
