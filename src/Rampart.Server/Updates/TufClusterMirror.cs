using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Rampart.Server.DataDirectory;
using Rampart.Storage.Updates;

namespace Rampart.Server.Updates;

/// <summary>
/// Keeps a cluster node's <c>DATA/tuf</c> a copy of the cluster's repository (<see cref="TufFileStore"/>,
/// table <c>tuf_files</c>), so <see cref="TufRepository"/> keeps working on files while every node
/// publishes into, and serves, the one repository:
/// 1. a write enters under the repository lock and first makes the local files what is stored
///    (fetching what changed, deleting what is gone), so it signs the versions after the cluster's newest;
/// 2. when the table is empty (the first node started on postgres), the local files are imported instead, once;
/// 3. what the write changed locally is stored and committed with the lock still held.
/// Two nodes publishing at once thus get consecutive versions, never one version with two contents
/// (TUF spec §5.3–§5.6: clients refuse a version that does not grow, and a rollback or mix-and-match).
/// </summary>
public sealed partial class TufClusterMirror(string tufDirectory, TufFileStore store, ILogger<TufClusterMirror> logger)
{
    /// <summary>The pending targets (offline targets key) travel with the repository.</summary>
    private const string PendingTargets = "pending-targets.json";

    // path → what the local file held when it last matched the stored one (stat, so unchanged files are not hashed again).
    private readonly Dictionary<string, LocalFile> _known = new(StringComparer.Ordinal);

    /// <summary>Begins a write: the repository lock, then the local files brought up to date (or imported).</summary>
    public async Task<Scope> EnterAsync(CancellationToken cancellationToken)
    {
        var transaction = await store.BeginAsync(write: true, cancellationToken);
        try
        {
            var stored = await transaction.ListAsync(cancellationToken);
            if (stored.Count == 0)
            {
                // Step 2: nothing stored yet; this node's files (if any) become the cluster's at commit.
                var local = LocalPaths().Count;
                if (local > 0)
                {
                    Importing(logger, local);
                }
            }
            else
            {
                await PullAsync(transaction, stored, cancellationToken);
            }

            return new Scope(this, transaction, stored);
        }
        catch
        {
            _known.Clear();
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary>Makes the local files what is stored, from one consistent snapshot, without the lock (readers).</summary>
    public async Task PullAsync(CancellationToken cancellationToken)
    {
        await using var transaction = await store.BeginAsync(write: false, cancellationToken);
        var stored = await transaction.ListAsync(cancellationToken);
        if (stored.Count > 0)
        {
            await PullAsync(transaction, stored, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>A stored file (<c>metadata/timestamp.json</c>, <c>targets/…</c>) as every node serves it, or null.</summary>
    public Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken) => store.ReadAsync(path, cancellationToken);

    private async Task PullAsync(TufFileTransaction transaction, Dictionary<string, string> stored, CancellationToken cancellationToken)
    {
        // A node whose copy is new has neither folder; the repository writes into both.
        Directory.CreateDirectory(Path.Combine(tufDirectory, "metadata"));
        Directory.CreateDirectory(Path.Combine(tufDirectory, "targets"));
        var changed = 0;
        foreach (var (path, sha256) in stored)
        {
            if (Unchanged(path) is { } known && known.Sha256 == sha256)
            {
                continue;
            }

            var content = await transaction.ReadAsync(path, cancellationToken) ?? throw new InvalidOperationException($"tuf_files lost {path} within one snapshot");
            var full = Full(path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            OwnerOnlyFile.WriteAtomically(full, content, syncDirectory: false);
            _known[path] = LocalFile.Of(full, sha256);
            changed++;
        }

        foreach (var path in LocalPaths().Where(path => !stored.ContainsKey(path)))
        {
            File.Delete(Full(path));
            _known.Remove(path);
            changed++;
        }

        if (changed > 0)
        {
            SyncDirectories();
            Pulled(logger, changed);
        }
    }

    // Step 3: every local file that differs from what is stored is stored; every stored file gone locally is deleted.
    private async Task PushAsync(TufFileTransaction transaction, Dictionary<string, string> stored, CancellationToken cancellationToken)
    {
        var local = LocalPaths();
        var known = new Dictionary<string, LocalFile>(StringComparer.Ordinal);
        foreach (var path in local)
        {
            var full = Full(path);
            if (Unchanged(path) is { } same && stored.TryGetValue(path, out var storedSha) && storedSha == same.Sha256)
            {
                known[path] = same;
                continue;
            }

            var content = await File.ReadAllBytesAsync(full, cancellationToken);
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
            if (!stored.TryGetValue(path, out var previous) || previous != sha256)
            {
                await transaction.PutAsync(path, sha256, content, cancellationToken);
            }

            known[path] = LocalFile.Of(full, sha256);
        }

        foreach (var path in stored.Keys.Where(path => !local.Contains(path)))
        {
            await transaction.DeleteAsync(path, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        _known.Clear();
        foreach (var (path, file) in known)
        {
            _known[path] = file;
        }
    }

    private LocalFile? Unchanged(string path) =>
        _known.TryGetValue(path, out var known) && File.Exists(Full(path)) && known.Matches(Full(path)) ? known : null;

    // What the repository consists of: metadata/*, targets/* (not the temporary files of an atomic write) and the pending targets.
    private HashSet<string> LocalPaths()
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var folder in new[] { "metadata", "targets" })
        {
            var directory = Path.Combine(tufDirectory, folder);
            if (Directory.Exists(directory))
            {
                foreach (var file in Directory.EnumerateFiles(directory).Select(Path.GetFileName).Where(name => TufRepository.IsServableName(name!) && !name!.EndsWith(".tmp", StringComparison.Ordinal)))
                {
                    paths.Add($"{folder}/{file}");
                }
            }
        }

        if (File.Exists(Path.Combine(tufDirectory, PendingTargets)))
        {
            paths.Add(PendingTargets);
        }

        return paths;
    }

    private string Full(string path) => Path.Combine(tufDirectory, path);

    private void SyncDirectories()
    {
        foreach (var directory in new[] { tufDirectory, Path.Combine(tufDirectory, "metadata"), Path.Combine(tufDirectory, "targets") }.Where(Directory.Exists))
        {
            Rampart.Updates.Files.AtomicFile.SyncDirectory(directory);
        }
    }

    private sealed record LocalFile(string Sha256, long Length, DateTime LastWriteUtc)
    {
        public static LocalFile Of(string full, string sha256)
        {
            var info = new FileInfo(full);
            return new LocalFile(sha256, info.Length, info.LastWriteTimeUtc);
        }

        public bool Matches(string full)
        {
            var info = new FileInfo(full);
            return info.Length == Length && info.LastWriteTimeUtc == LastWriteUtc;
        }
    }

    /// <summary>One write under the repository lock; disposing without <see cref="CommitAsync"/> rolls back and forgets what was known.</summary>
    public sealed class Scope(TufClusterMirror mirror, TufFileTransaction transaction, Dictionary<string, string> stored) : IAsyncDisposable
    {
        private bool _committed;

        /// <summary>Stores what changed locally and commits (durably), releasing the lock.</summary>
        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            await mirror.PushAsync(transaction, stored, cancellationToken);
            _committed = true;
        }

        /// <inheritdoc />
        public async ValueTask DisposeAsync()
        {
            if (!_committed)
            {
                // The local files may hold versions the cluster never got: compare every file at the next pull.
                mirror._known.Clear();
            }

            await transaction.DisposeAsync();
        }
    }

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "TUF: the cluster has no repository yet; importing this node's {Files} files")]
    private static partial void Importing(ILogger logger, int files);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Debug, Message = "TUF: {Files} files brought up to date from the cluster's repository")]
    private static partial void Pulled(ILogger logger, int files);
}
