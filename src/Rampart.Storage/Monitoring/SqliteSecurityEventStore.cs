using System.Text.Json;
using Rampart.Fleet.Monitoring;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Monitoring;

/// <summary>Security events in SQLite.</summary>
public sealed class SqliteSecurityEventStore(SqliteDatabase database) : ISecurityEventStore
{
    /// <inheritdoc />
    public Task AppendAsync(SecurityEvent securityEvent, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "INSERT INTO security_events (time_ms, kind, severity, device_id, source, details) VALUES ($t, $k, $s, $d, $src, $details)", cancellationToken,
            ("$t", securityEvent.Time.ToUnixMs()), ("$k", securityEvent.Kind), ("$s", securityEvent.Severity.ToString().ToLowerInvariant()),
            ("$d", securityEvent.DeviceId), ("$src", securityEvent.Source), ("$details", JsonSerializer.Serialize(securityEvent.Details)));

    /// <inheritdoc />
    public async Task<IReadOnlyList<SecurityEvent>> ListAsync(string? deviceId, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT time_ms, kind, severity, device_id, source, details FROM security_events WHERE ($d IS NULL OR device_id = $d) ORDER BY id DESC LIMIT $limit",
            reader => new SecurityEvent(
                SqliteCommands.FromUnixMs(reader.GetInt64(0)),
                reader.GetString(1),
                Enum.Parse<SecuritySeverity>(reader.GetString(2), ignoreCase: true),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(5)) ?? []),
            cancellationToken, ("$d", deviceId), ("$limit", limit));
}
