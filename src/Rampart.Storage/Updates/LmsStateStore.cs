using Rampart.Storage.Sql;
using Rampart.Updates.Lms;

namespace Rampart.Storage.Updates;

/// <summary>
/// An LMS key's next leaf in the database (migration 0038, one row per key identifier <c>I</c>), so the
/// nodes of a cluster that share the key share its state. Taking a leaf is one
/// <c>UPDATE … RETURNING</c>: the row is locked for the statement and each caller sees the value the
/// previous one committed, so two nodes never get the same index (RFC 8554 §5.4: a one-time key that
/// signs twice gives its private key away). The commit is durable (PostgreSQL forces
/// <c>synchronous_commit = on</c>) before the index is returned, so before any signature with it exists.
/// </summary>
public sealed class LmsStateStore(IStoreDatabase database, string keyId) : ILmsStateStore
{
    /// <summary>The store of the key with identifier <paramref name="identifier"/> (16 bytes, hex in the row).</summary>
    public static LmsStateStore For(IStoreDatabase database, ReadOnlySpan<byte> identifier) => new(database, Convert.ToHexStringLower(identifier));

    /// <summary>True when the key has a row (a key is recorded at creation, <see cref="ReserveAsync"/> with 0).</summary>
    public async Task<bool> ExistsAsync(CancellationToken cancellationToken) =>
        await database.ScalarAsync("SELECT 1 FROM lms_state WHERE key_id = @k", cancellationToken, ("k", keyId)) is not null and not DBNull;

    /// <inheritdoc />
    public async Task<long> LoadAsync(CancellationToken cancellationToken) =>
        await database.ScalarAsync("SELECT next_leaf FROM lms_state WHERE key_id = @k", cancellationToken, ("k", keyId)) is { } next and not DBNull
            ? DbCommands.ToInt64(next)
            : 0;

    /// <summary>
    /// Records leaves below <paramref name="next"/> as spent, keeping the larger of what is stored and
    /// <paramref name="next"/>: importing a node's state file, or creating the key twice, never moves the index back.
    /// </summary>
    public Task ReserveAsync(long next, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            $"INSERT INTO lms_state (key_id, next_leaf) VALUES (@k, @n) ON CONFLICT (key_id) DO UPDATE SET next_leaf = {database.Dialect.Greatest("lms_state.next_leaf", "excluded.next_leaf")}",
            cancellationToken, ("k", keyId), ("n", next));

    /// <inheritdoc />
    public async Task<long?> ReserveNextAsync(long leaves, CancellationToken cancellationToken) =>
        await database.ScalarAsync(
            "UPDATE lms_state SET next_leaf = next_leaf + 1 WHERE key_id = @k AND next_leaf < @leaves RETURNING next_leaf - 1",
            cancellationToken, ("k", keyId), ("leaves", leaves)) is { } taken and not DBNull
            ? DbCommands.ToInt64(taken)
            : null;
}
