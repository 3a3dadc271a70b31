using System.Security.Cryptography;
using System.Text;
using Rampart.Updates.Files;

namespace Rampart.Updates.Tuf;

/// <summary>
/// Downloaded targets in a directory (created 0700), each under its URL-escaped path (a hash of the
/// path when that is too long for a file name). A cached file is used only when it has the length and
/// every supported hash the trusted metadata signs now, so the cache is no more trusted than the
/// network; files are written with <see cref="AtomicFile"/>.
/// </summary>
public sealed class TargetCache
{
    private const int MaxFileName = 200;
    private readonly string _directory;

    /// <summary>A cache in <paramref name="directory"/>.</summary>
    public TargetCache(string directory)
    {
        _directory = Path.GetFullPath(directory);
        AtomicFile.CreateOwnerOnlyDirectory(_directory);
    }

    /// <summary>The file that holds <paramref name="targetPath"/>.</summary>
    public string PathOf(string targetPath)
    {
        var escaped = RoleNames.Escape(targetPath);
        return Path.Combine(_directory, escaped.Length <= MaxFileName && escaped is not ("." or "..")
            ? escaped
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(targetPath))));
    }

    /// <summary>The cached contents of <paramref name="target"/> when they match its signed length and hashes; else null.</summary>
    public byte[]? TryRead(TargetFile target)
    {
        var path = PathOf(target.Path);
        byte[]? bytes;
        try
        {
            bytes = AtomicFile.ReadBounded(path, target.Length);
        }
        catch (InvalidDataException)
        {
            bytes = null;
        }

        if (bytes is not null && target.Mismatch(bytes) is null)
        {
            return bytes;
        }

        AtomicFile.Delete(path);
        return null;
    }

    /// <summary>Keeps verified <paramref name="bytes"/> of <paramref name="target"/>.</summary>
    public void Write(TargetFile target, byte[] bytes) => AtomicFile.Write(PathOf(target.Path), bytes);

    /// <summary>Deletes every cached file except those of <paramref name="targetPaths"/>, so the cache holds one release, not every one.</summary>
    public void KeepOnly(IEnumerable<string> targetPaths)
    {
        var keep = targetPaths.Select(PathOf).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(_directory))
        {
            if (!keep.Contains(file))
            {
                File.Delete(file);
            }
        }
    }
}
