using System.Data.Common;
using Rampart.Adapters.Credentials;

namespace Rampart.Storage.Adapters;

/// <summary>
/// The statements of the device credential store, the same on both providers (each binds
/// <c>@name</c> parameters: Microsoft.Data.Sqlite accepts the prefix as Npgsql does), and the row mapping.
/// </summary>
internal static class DeviceCredentialSql
{
    public const string Columns = "device_id, kind, key_id, verifier, sealed, issued_ms, revoked_ms";

    public const string Active = $"SELECT {Columns} FROM device_credentials WHERE device_id = @device AND kind = @kind AND revoked_ms IS NULL";

    public const string Revoke = "UPDATE device_credentials SET revoked_ms = @at WHERE device_id = @device AND kind = @kind AND revoked_ms IS NULL RETURNING key_id";

    public const string Insert = "INSERT INTO device_credentials (key_id, device_id, kind, verifier, sealed, issued_ms) VALUES (@key, @device, @kind, @verifier, @sealed, @issued)";

    public const string VerifierExists = "SELECT COUNT(*) FROM device_credentials WHERE verifier = @verifier";

    public const string AddLegacy = "INSERT INTO legacy_devices (device_id, reason, registered_by, registered_ms) VALUES (@device, @reason, @by, @at) ON CONFLICT (device_id) DO NOTHING";

    public const string LegacyColumns = "device_id, reason, registered_by, registered_ms, replaced_ms";

    public const string GetLegacy = $"SELECT {LegacyColumns} FROM legacy_devices WHERE device_id = @device";

    public const string ListLegacy = $"SELECT {LegacyColumns} FROM legacy_devices ORDER BY (replaced_ms IS NULL) DESC, device_id";

    public const string MarkReplaced = "UPDATE legacy_devices SET replaced_ms = @at WHERE device_id = @device AND replaced_ms IS NULL";

    public static string KindName(CredentialKind kind) => kind == CredentialKind.Psk ? "psk" : "legacy";

    public static DeviceCredential Credential(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1) == "psk" ? CredentialKind.Psk : CredentialKind.Legacy,
        reader.GetString(2),
        (byte[])reader.GetValue(3),
        reader.IsDBNull(4) ? null : (byte[])reader.GetValue(4),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)));

    public static LegacyRegistration Legacy(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
        reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
}
