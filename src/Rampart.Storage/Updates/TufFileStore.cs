using System.Data;
using System.Data.Common;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Updates;

/// <summary>
/// The cluster's TUF repository files (migration 0038, table <c>tuf_files</c>): paths under
/// <c>DATA/tuf</c> with their SHA-256 and bytes. Writers hold <see cref="StoreLocks.TufRepository"/>
/// for their whole transaction, so two nodes publishing at once publish one after the other: the
/// second reads the first's versions and signs the next ones (TUF spec §5: a client accepts only
/// versions that grow, and one version must have one content everywhere).
/// </summary>
public sealed class TufFileStore(IStoreDatabase database)
{
    /// <summary>
    /// A transaction over the files: with <paramref name="write"/>, under the repository lock (held
    /// until commit or rollback); without, a read-only snapshot (REPEATABLE READ: every statement
    /// sees the same commit, never half of a publication).
    /// </summary>
    public async Task<TufFileTransaction> BeginAsync(bool write, CancellationToken cancellationToken)
    {
        var connection = await database.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(write ? IsolationLevel.ReadCommitted : IsolationLevel.RepeatableRead, cancellationToken);
            if (write)
            {
                await database.Dialect.LockAsync(connection, transaction, StoreLocks.TufRepository, cancellationToken);
            }

            return new TufFileTransaction(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>One file's bytes, or null; what the TUF endpoints serve on every node alike.</summary>
    public async Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken) =>
        await database.ScalarAsync("SELECT content FROM tuf_files WHERE path = @p", cancellationToken, ("p", path)) as byte[];
}

/// <summary>Statements of one <see cref="TufFileStore"/> transaction; nothing is kept unless <see cref="CommitAsync"/> returns.</summary>
public sealed class TufFileTransaction(DbConnection connection, DbTransaction transaction) : IAsyncDisposable
{
    /// <summary>Every stored path with its SHA-256 (hex), not the bytes.</summary>
    public async Task<Dictionary<string, string>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT path, sha256 FROM tuf_files", transaction);
        var rows = await command.ReadAllAsync(reader => (Path: reader.GetString(0), Sha256: reader.GetString(1)), cancellationToken);
        return rows.ToDictionary(row => row.Path, row => row.Sha256, StringComparer.Ordinal);
    }

    /// <summary>One file's bytes, or null.</summary>
    public async Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT content FROM tuf_files WHERE path = @p", transaction).With("p", path);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    /// <summary>Adds or replaces a file.</summary>
    public async Task PutAsync(string path, string sha256, byte[] content, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            "INSERT INTO tuf_files (path, sha256, content) VALUES (@p, @s, @c) ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, content = excluded.content",
            transaction).With("p", path).With("s", sha256).With("c", content);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Removes a file.</summary>
    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("DELETE FROM tuf_files WHERE path = @p", transaction).With("p", path);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Commits (durably: <c>synchronous_commit = on</c>) and releases the lock.</summary>
    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
