using Microsoft.Data.Sqlite;
using Npgsql;
using Rampart.Mqtt.Broker.Persistence;

namespace Rampart.Server.Tests.Cluster;

/// <summary>Reads what a node wrote to <c>mqtt_sessions</c> (migration 0019) and <c>mqtt_retained</c> (0030), without claiming it, to know it reached the store.</summary>
internal static class StoredSessions
{
    /// <summary>The stored messages of <paramref name="clientId"/>'s session in a node's SQLite file (null: no row yet).</summary>
    public static async Task<int?> MessagesInSqliteAsync(string databasePath, string clientId)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT owner, state FROM mqtt_sessions WHERE client_id = $c";
        command.Parameters.AddWithValue("$c", clientId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? Count(clientId, reader.GetString(0), (byte[])reader.GetValue(1)) : null;
    }

    /// <summary>The same in the cluster's PostgreSQL, with the node that holds it.</summary>
    public static async Task<(int Messages, string Node)?> MessagesInPostgresAsync(string connectionString, string clientId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT owner, state, node_id FROM mqtt_sessions WHERE client_id = @c", connection);
        command.Parameters.AddWithValue("c", clientId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (Count(clientId, reader.GetString(0), (byte[])reader.GetValue(1)), reader.GetString(2)) : null;
    }

    /// <summary>The subscription filters of <paramref name="clientId"/>'s session in the cluster's PostgreSQL (empty: no row yet).</summary>
    public static async Task<IReadOnlyList<string>> FiltersInPostgresAsync(string connectionString, string clientId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT owner, state FROM mqtt_sessions WHERE client_id = @c", connection);
        command.Parameters.AddWithValue("c", clientId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? Decode(clientId, reader.GetString(0), (byte[])reader.GetValue(1)).Subscriptions.Select(s => s.Filter).ToArray() : [];
    }

    /// <summary>The retained topics in a node's SQLite file, by last level, "(cleared)" for a tombstone, in topic order.</summary>
    public static async Task<string> RetainedInSqliteAsync(string databasePath)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT topic, message IS NULL FROM mqtt_retained ORDER BY topic";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0).Split('/')[^1] + (reader.GetInt64(1) == 1 ? "(cleared)" : string.Empty));
        }

        return string.Join(";", rows);
    }

    private static int Count(string clientId, string owner, byte[] state) => Decode(clientId, owner, state).Messages.Count;

    private static SessionState Decode(string clientId, string owner, byte[] state) =>
        SessionStateCodec.Decode(clientId, owner, state, 256 * 1024, out var problem) ?? throw new InvalidDataException(problem);
}
