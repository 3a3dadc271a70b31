using System.Data.Common;
using Rampart.Mqtt.Broker.Persistence;

namespace Rampart.Storage.Sessions;

/// <summary>
/// The persistent MQTT sessions' statements and their execution over <see cref="DbConnection"/>,
/// shared by both providers (plain SQL with <c>@name</c> parameters, which SQLite and PostgreSQL both
/// accept; migration 0019). Each provider's store only opens its connection and transaction.
/// </summary>
internal static class MqttSessionSql
{
    // A node replaces only a row it holds: one that another node claimed since is newer than this write.
    public const string Upsert =
        "INSERT INTO mqtt_sessions (client_id, owner, node_id, expires_ms, updated_ms, state) VALUES (@c, @o, @n, @e, @u, @s) " +
        "ON CONFLICT (client_id, owner) DO UPDATE SET expires_ms = excluded.expires_ms, updated_ms = excluded.updated_ms, state = excluded.state " +
        "WHERE mqtt_sessions.node_id = excluded.node_id";

    public const string RemoveHeld = "DELETE FROM mqtt_sessions WHERE client_id = @c AND owner = @o AND node_id = @n";
    public const string RemoveAnywhere = "DELETE FROM mqtt_sessions WHERE client_id = @c AND owner = @o";
    // updated_ms stays the last write's: what the state holds is as of then, and a durable fabric
    // replays what reached the session since (also when this node dies before its first write).
    public const string Claim =
        "UPDATE mqtt_sessions SET node_id = @n WHERE client_id = @c AND owner = @o AND expires_ms > @now " +
        "RETURNING client_id, owner, node_id, expires_ms, state, updated_ms";

    public const string DeleteExpired = "DELETE FROM mqtt_sessions WHERE expires_ms <= @now";

    public static async Task SaveAsync(
        DbConnection connection, DbTransaction transaction, string nodeId, IReadOnlyList<StoredSession> saved, IReadOnlyList<SessionRemoval> removed, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        foreach (var removal in removed)
        {
            await using var delete = Command(connection, transaction, removal.AnyNode ? RemoveAnywhere : RemoveHeld, ("@c", removal.ClientId), ("@o", removal.Owner), ("@n", nodeId));
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var upsert = Command(connection, transaction, Upsert, ("@c", ""), ("@o", ""), ("@n", nodeId), ("@e", 0L), ("@u", now.ToUnixTimeMilliseconds()), ("@s", Array.Empty<byte>()));
        foreach (var session in saved)
        {
            upsert.Parameters["@c"].Value = session.ClientId;
            upsert.Parameters["@o"].Value = session.Owner;
            upsert.Parameters["@e"].Value = session.ExpiresAt.ToUnixTimeMilliseconds();
            upsert.Parameters["@s"].Value = session.State;
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public static async Task<StoredSession?> ClaimAsync(DbConnection connection, string clientId, string owner, string nodeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var claim = Command(connection, null, Claim, ("@c", clientId), ("@o", owner), ("@n", nodeId), ("@now", now.ToUnixTimeMilliseconds()));
        await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredSession(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), (byte[])reader.GetValue(4))
            {
                WrittenAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
            }
            : null;
    }

    public static async Task<int> DeleteExpiredAsync(DbConnection connection, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var delete = Command(connection, null, DeleteExpired, ("@now", now.ToUnixTimeMilliseconds()));
        return await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
