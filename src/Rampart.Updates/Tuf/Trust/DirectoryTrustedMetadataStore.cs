using Rampart.Updates.Files;

namespace Rampart.Updates.Tuf;

/// <summary>
/// Trusted metadata in a directory (created 0700), the layout the reference client uses:
/// <c>root.json</c>, <c>timestamp.json</c>, <c>snapshot.json</c>, <c>targets.json</c>, and each delegated
/// role as its URL-escaped name plus <c>.json</c> (<see cref="RoleNames.Escape"/>, so no role name can
/// leave the directory). Files are written with <see cref="AtomicFile"/>: owner-only (0600), fsynced,
/// renamed into place, directory fsynced. A file that others may write is refused when read.
/// </summary>
public sealed class DirectoryTrustedMetadataStore : ITrustedMetadataStore
{
    /// <summary>The largest file written (the client bounds what it fetches below this).</summary>
    public const long MaxFileLength = 64L * 1024 * 1024;

    private readonly string _directory;

    /// <summary>A store in <paramref name="directory"/>, created owner-only if it does not exist.</summary>
    public DirectoryTrustedMetadataStore(string directory)
    {
        _directory = Path.GetFullPath(directory);
        AtomicFile.CreateOwnerOnlyDirectory(_directory);
    }

    /// <summary>The file that holds <paramref name="role"/>.</summary>
    public string PathOf(string role) => Path.Combine(_directory, RoleNames.Escape(role) + ".json");

    /// <inheritdoc />
    public byte[]? Load(string role, long maxLength) => AtomicFile.ReadBounded(PathOf(role), Math.Min(maxLength, MaxFileLength));

    /// <inheritdoc />
    public void Save(string role, byte[] bytes)
    {
        if (bytes.LongLength > MaxFileLength)
        {
            throw new ArgumentException($"{role} metadata is {bytes.LongLength} bytes, more than the {MaxFileLength} a store keeps", nameof(bytes));
        }

        AtomicFile.Write(PathOf(role), bytes);
    }

    /// <inheritdoc />
    public void Delete(string role) => AtomicFile.Delete(PathOf(role));
}
