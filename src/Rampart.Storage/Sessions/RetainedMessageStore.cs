using System.Security.Cryptography;
using System.Text;
using Rampart.Mqtt.Broker.Persistence;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Sessions;

/// <summary>
/// Retained MQTT messages (migration 0030) on either provider. A save is one batch upsert whose update
/// applies only when the stored row was set no later than the change, so on the cluster's PostgreSQL
/// two nodes retaining on one topic keep the later value, and a clearing (a tombstone row) is not
/// undone by an older value written after it.
/// </summary>
public sealed class RetainedMessageStore(IStoreDatabase database) : IRetainedMessageStore
{
    private const string OnConflict =
        "ON CONFLICT (topic_key) DO UPDATE SET topic = excluded.topic, message = excluded.message, expires_ms = excluded.expires_ms, set_ms = excluded.set_ms " +
        "WHERE mqtt_retained.set_ms <= excluded.set_ms";

    /// <inheritdoc />
    public async Task SaveAsync(IReadOnlyList<StoredRetained> changes, CancellationToken cancellationToken)
    {
        await database.InsertRowsAsync(
            "mqtt_retained",
            [
                new("topic_key", BatchType.Bytes, i => Key(changes[i].Topic)),
                new("topic", BatchType.Text, i => changes[i].Topic),
                new("message", BatchType.Bytes, i => changes[i].Message),
                new("expires_ms", BatchType.Integer, i => changes[i].ExpiresAt?.ToUnixMs()),
                new("set_ms", BatchType.Integer, i => changes[i].SetAt.ToUnixMs()),
            ],
            changes.Count, OnConflict, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredRetained>> LoadAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT topic, message, expires_ms, set_ms FROM mqtt_retained WHERE message IS NOT NULL AND (expires_ms IS NULL OR expires_ms > @now) " +
            "ORDER BY set_ms DESC LIMIT @n",
            reader => new StoredRetained(
                reader.GetString(0), (byte[])reader.GetValue(1), reader.IsDBNull(2) ? null : DbCommands.FromUnixMs(reader.GetInt64(2)), DbCommands.FromUnixMs(reader.GetInt64(3))),
            cancellationToken, ("now", now.ToUnixMs()), ("n", limit));

    /// <inheritdoc />
    public Task<int> DeleteExpiredAsync(DateTimeOffset now, DateTimeOffset tombstonesBefore, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "DELETE FROM mqtt_retained WHERE (expires_ms IS NOT NULL AND expires_ms <= @now) OR (message IS NULL AND set_ms < @before)",
            cancellationToken, ("now", now.ToUnixMs()), ("before", tombstonesBefore.ToUnixMs()));

    private static byte[] Key(string topic) => SHA256.HashData(Encoding.UTF8.GetBytes(topic));
}
