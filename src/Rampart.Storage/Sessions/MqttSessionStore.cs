using System.Data.Common;
using Rampart.Mqtt.Broker.Persistence;
using Rampart.Storage.Postgres;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Sessions;

/// <summary>
/// Persistent MQTT sessions (migration 0019) on either provider: one store over <see cref="DbConnection"/>
/// (statements: <see cref="MqttSessionSql"/>); a provider gives only how to open a connection and a
/// write transaction. On PostgreSQL a claim is one <c>UPDATE … RETURNING</c>, so two nodes resuming the
/// same session at once cannot both take it over silently: the later claim holds the row, and the
/// earlier node's writes stop applying.
/// </summary>
public sealed class MqttSessionStore : IMqttSessionStore
{
    private readonly Func<CancellationToken, ValueTask<DbConnection>> _open;
    private readonly Func<DbConnection, CancellationToken, ValueTask<DbTransaction>> _begin;

    private MqttSessionStore(Func<CancellationToken, ValueTask<DbConnection>> open, Func<DbConnection, CancellationToken, ValueTask<DbTransaction>> begin)
    {
        _open = open;
        _begin = begin;
    }

    /// <summary>The node's SQLite file; writes take the write lock up front (BEGIN IMMEDIATE), so a batch never fails half-way on a lock upgrade.</summary>
    public static MqttSessionStore For(SqliteDatabase database) => new(
        async cancellationToken => await database.OpenAsync(cancellationToken),
        (connection, _) => ValueTask.FromResult<DbTransaction>(((Microsoft.Data.Sqlite.SqliteConnection)connection).BeginTransaction(deferred: false)));

    /// <summary>The cluster's PostgreSQL.</summary>
    public static MqttSessionStore For(PostgresDatabase database) => new(
        async cancellationToken => await database.OpenAsync(cancellationToken),
        (connection, cancellationToken) => connection.BeginTransactionAsync(cancellationToken));

    /// <inheritdoc />
    public async Task SaveAsync(string nodeId, IReadOnlyList<StoredSession> saved, IReadOnlyList<SessionRemoval> removed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (saved.Count == 0 && removed.Count == 0)
        {
            return;
        }

        await using var connection = await _open(cancellationToken);
        await using var transaction = await _begin(connection, cancellationToken);
        await MqttSessionSql.SaveAsync(connection, transaction, nodeId, saved, removed, now, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<StoredSession?> ClaimAsync(string clientId, string owner, string nodeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _open(cancellationToken);
        return await MqttSessionSql.ClaimAsync(connection, clientId, owner, nodeId, now, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _open(cancellationToken);
        return await MqttSessionSql.DeleteExpiredAsync(connection, now, cancellationToken);
    }
}
