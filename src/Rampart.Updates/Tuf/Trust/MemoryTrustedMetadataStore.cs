using System.Collections.Concurrent;

namespace Rampart.Updates.Tuf;

/// <summary>
/// Trusted metadata kept in memory: for a client that lives as long as what it protects (a server's
/// own checks, a command-line run, tests). Nothing survives the process.
/// </summary>
public sealed class MemoryTrustedMetadataStore : ITrustedMetadataStore
{
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    /// <summary>A store that holds <paramref name="root"/> as the trusted root.</summary>
    public static MemoryTrustedMetadataStore WithRoot(byte[] root)
    {
        var store = new MemoryTrustedMetadataStore();
        store.Save("root", root);
        return store;
    }

    /// <summary>The roles stored.</summary>
    public IReadOnlyCollection<string> Roles => [.. _files.Keys];

    /// <inheritdoc />
    public byte[]? Load(string role, long maxLength) =>
        !_files.TryGetValue(role, out var bytes) ? null
        : bytes.LongLength > maxLength ? throw new InvalidDataException($"stored {role} metadata is longer than {maxLength} bytes")
        : (byte[])bytes.Clone();

    /// <inheritdoc />
    public void Save(string role, byte[] bytes) => _files[role] = (byte[])bytes.Clone();

    /// <inheritdoc />
    public void Delete(string role) => _files.TryRemove(role, out _);
}
