using System.Globalization;
using System.Security.Cryptography;
using Rampart.Updates.Files;

namespace Rampart.Privacy.Keys;

/// <summary>
/// The privacy keys as files in the node's owner-only keys folder, like its other keys:
/// <c>privacy-kek-N.key</c> (one per KEK version) and <c>privacy-pseudonym.key</c>, 32 random bytes
/// each, written atomically with mode 0600. A key file that others can read stops the node.
/// </summary>
public sealed class KeyFolder : IKeyEncryptionKeys
{
    private const string KekPrefix = "privacy-kek-";
    private const string Suffix = ".key";
    private readonly string _directory;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, byte[]> _keks = [];
    private int _current;

    private KeyFolder(string directory, byte[] pseudonymKey)
    {
        _directory = directory;
        PseudonymKey = pseudonymKey;
    }

    /// <inheritdoc />
    public byte[] PseudonymKey { get; }

    /// <inheritdoc />
    public int CurrentVersion
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    /// <summary>Loads the keys in <paramref name="directory"/>, creating the first KEK and the pseudonym key on a new node.</summary>
    public static KeyFolder Open(string directory)
    {
        Directory.CreateDirectory(directory);
        var folder = new KeyFolder(directory, LoadOrCreate(Path.Combine(directory, "privacy-pseudonym" + Suffix)));
        foreach (var file in Directory.EnumerateFiles(directory, KekPrefix + "*" + Suffix))
        {
            var name = Path.GetFileName(file);
            if (int.TryParse(name.AsSpan(KekPrefix.Length, name.Length - KekPrefix.Length - Suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                folder._keks[version] = Read(file);
            }
        }

        if (folder._keks.Count == 0)
        {
            folder._keks[1] = LoadOrCreate(folder.KekPath(1));
        }

        folder._current = folder._keks.Keys.Max();
        return folder;
    }

    /// <inheritdoc />
    public byte[] Get(int version)
    {
        lock (_lock)
        {
            return _keks.TryGetValue(version, out var key) ? key : throw new CryptographicException($"key-encryption key {version} was retired");
        }
    }

    /// <inheritdoc />
    public int Rotate()
    {
        lock (_lock)
        {
            var next = _current + 1;
            _keks[next] = LoadOrCreate(KekPath(next));
            _current = next;
            return next;
        }
    }

    /// <inheritdoc />
    public void RetireBefore(int keep)
    {
        lock (_lock)
        {
            foreach (var version in _keks.Keys.Where(v => v < keep).ToArray())
            {
                // Overwritten before it is unlinked, so the old key's bytes do not stay in the file's blocks.
                var path = KekPath(version);
                File.WriteAllBytes(path, new byte[32]);
                File.Delete(path);
                CryptographicOperations.ZeroMemory(_keks[version]);
                _keks.Remove(version);
            }
        }
    }

    private string KekPath(int version) => Path.Combine(_directory, KekPrefix + version.ToString(CultureInfo.InvariantCulture) + Suffix);

    private static byte[] LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return Read(path);
        }

        var key = RandomNumberGenerator.GetBytes(32);
        AtomicFile.Write(path, key, syncDirectory: true);

        return key;
    }

    private static byte[] Read(string path)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode)0b000_111_111) != 0)
        {
            throw new InvalidOperationException($"key file {path} is accessible by group or others; it must be owner-only: chmod 600 '{path}'");
        }

        var key = File.ReadAllBytes(path);
        return key.Length == 32 ? key : throw new InvalidOperationException($"key file {path} does not hold a 256-bit key");
    }
}
