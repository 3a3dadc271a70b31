using System.Runtime.InteropServices;

namespace Rampart.Updates.Files;

/// <summary>
/// Durable, all-or-nothing, owner-only file writes: a 0600 temporary file beside the target, written
/// and fsynced, renamed over the target, then the directory fsynced (a rename is durable only once the
/// directory entry is on disk). After a crash or power loss the file holds the old or the new contents,
/// never a mix, and never less than what a returned call wrote. Used for what must survive a reboot
/// unchanged: LMS state (a reused one-time key breaks the scheme) and TUF trusted metadata (a lost
/// version re-opens rollback).
/// </summary>
public static class AtomicFile
{
    /// <summary>Read and write for the owner only (0600).</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Read, write and search for the owner only (0700), for directories.</summary>
    public const UnixFileMode OwnerOnlyDirectory = OwnerOnly | UnixFileMode.UserExecute;

    /// <summary>Group and other write bits: a file anyone else may write cannot be trusted.</summary>
    public const UnixFileMode WritableByOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>
    /// Writes <paramref name="contents"/> to <paramref name="path"/> durably and atomically, mode 0600. A caller
    /// writing many files into one directory may pass <paramref name="syncDirectory"/> false and call
    /// <see cref="SyncDirectory"/> once after the last (the renames are durable only then).
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> contents, bool syncDirectory = true)
    {
        var full = Path.GetFullPath(path);
        var temporary = $"{full}.{Guid.NewGuid():N}.tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
            if (syncDirectory)
            {
                SyncDirectory(Path.GetDirectoryName(full)!);
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Deletes <paramref name="path"/> if it exists, durably (the directory is fsynced).</summary>
    public static void Delete(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            File.Delete(full);
            SyncDirectory(Path.GetDirectoryName(full)!);
        }
    }

    /// <summary>Creates <paramref name="directory"/> (and parents) owner-only when it does not exist.</summary>
    public static void CreateOwnerOnlyDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        }
    }

    /// <summary>
    /// Reads at most <paramref name="maxLength"/> bytes of <paramref name="path"/>, or null when it does not
    /// exist. A longer file, or one others may write, is refused with <see cref="InvalidDataException"/>.
    /// </summary>
    public static byte[]? ReadBounded(string path, long maxLength)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & WritableByOthers) != 0)
        {
            throw new InvalidDataException($"{path} is writable by group or others; refusing to trust it (chmod 600 '{path}')");
        }

        using var stream = File.OpenRead(path);
        if (stream.Length > maxLength)
        {
            throw new InvalidDataException($"{path} is {stream.Length} bytes, more than the {maxLength} allowed");
        }

        var buffer = new byte[stream.Length];
        stream.ReadExactly(buffer);
        return buffer;
    }

    /// <summary>Makes the entries of <paramref name="directory"/> (renames, deletions) durable: fsync of the directory.</summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // .NET cannot open a directory, so POSIX does.
        var descriptor = Posix.Open(directory, Posix.ReadOnlyDirectory);
        if (descriptor < 0)
        {
            throw new IOException($"cannot open {directory} to make a write durable (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Posix.Fsync(descriptor) != 0)
            {
                throw new IOException($"fsync of {directory} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Posix.Close(descriptor);
        }
    }
}

internal static partial class Posix
{
    // O_RDONLY: enough to fsync a directory, and the same value on every Linux architecture (O_DIRECTORY is not).
    public const int ReadOnlyDirectory = 0;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int descriptor);
}
