using System.Text.Json;
using Rampart.Fleet.Monitoring;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Monitoring;

/// <summary>Security events in SQLite.</summary>
public sealed class SqliteSecurityEventStore(SqliteDatabase database) : ISecurityEventStore
{
    /// <inheritdoc />
    public async Task AppendAsync(SecurityEvent securityEvent, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var insert = connection.Command(
            "INSERT INTO security_events (time_ms, kind, severity, device_id, source, details) VALUES ($t, $k, $s, $d, $src, $details)")
            .With("$t", securityEvent.Time.ToUnixMs()).With("$k", securityEvent.Kind).With("$s", securityEvent.Severity.ToString().ToLowerInvariant())
            .With("$d", securityEvent.DeviceId).With("$src", securityEvent.Source).With("$details", JsonSerializer.Serialize(securityEvent.Details));
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SecurityEvent>> ListAsync(string? deviceId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command(
            "SELECT time_ms, kind, severity, device_id, source, details FROM security_events WHERE ($d IS NULL OR device_id = $d) ORDER BY id DESC LIMIT $limit")
            .With("$d", deviceId).With("$limit", limit);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var list = new List<SecurityEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new SecurityEvent(
                SqliteCommands.FromUnixMs(reader.GetInt64(0)),
                reader.GetString(1),
                Enum.Parse<SecuritySeverity>(reader.GetString(2), ignoreCase: true),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(5)) ?? []));
        }

        return list;
    }
}
