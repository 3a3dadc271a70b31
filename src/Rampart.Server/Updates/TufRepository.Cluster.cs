using System.Text.Json.Nodes;

namespace Rampart.Server.Updates;

/// <summary>
/// The repository on a cluster: each change runs under the cluster's repository lock on an up-to-date copy
/// (<see cref="TufClusterMirror"/>), and the endpoints serve what the cluster stores, so all nodes serve the same bytes.
/// </summary>
public sealed partial class TufRepository
{
    /// <summary>True when the repository is the cluster's (in PostgreSQL) rather than this node's alone.</summary>
    public bool Clustered => cluster is not null;

    /// <summary>
    /// A file of the repository (<c>metadata/N.root.json</c>, <c>targets/…</c>) as the cluster stores it, or
    /// null (also on a single node, whose files are served from disk).
    /// </summary>
    public async Task<byte[]?> StoredFileAsync(string folder, string name, CancellationToken cancellationToken) =>
        cluster is not null && IsServableName(name) ? await cluster.ReadAsync($"{folder}/{name}", cancellationToken) : null;

    /// <summary>
    /// <see cref="TargetInfo"/>, and on a cluster, when the target is not known here, after bringing the
    /// local copy up to date: a release published on another node is found at once.
    /// </summary>
    public async Task<JsonObject?> TargetInfoAsync(string name, CancellationToken cancellationToken)
    {
        var found = TargetInfo(name);
        if (found is not null || cluster is null)
        {
            return found;
        }

        await UnderLockAsync(() => { }, cancellationToken, write: false);
        return TargetInfo(name);
    }

    private Task UnderLockAsync(Action work, CancellationToken cancellationToken, bool write = true) =>
        UnderLockAsync<bool>(() =>
        {
            work();
            return true;
        }, cancellationToken, write);

    // The node's lock, and on a cluster the repository's: the copy brought up to date first, what the work
    // changed stored before the lock is released; after a failure nothing is stored, and the next change
    // compares every local file with what is stored (TufClusterMirror forgets what it knew).
    private async Task<T> UnderLockAsync<T>(Func<T> work, CancellationToken cancellationToken, bool write = true)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (cluster is null)
            {
                return work();
            }

            if (!write)
            {
                await cluster.PullAsync(cancellationToken);
                Volatile.Write(ref _published, null);
                return work();
            }

            await using var scope = await cluster.EnterAsync(cancellationToken);
            Volatile.Write(ref _published, null);
            try
            {
                var result = work();
                await scope.CommitAsync(cancellationToken);
                return result;
            }
            catch
            {
                Volatile.Write(ref _published, null);
                throw;
            }
        }
        finally
        {
            _lock.Release();
        }
    }
}
