using System.Runtime.InteropServices;

namespace Rampart.Updates.Lms;

/// <summary>
/// Where an LMS key's next leaf index is kept. <see cref="ReserveAsync"/> must be durable when it
/// returns: the signer releases a signature only after the index past it is stored, so a one-time
/// key is never used twice, even across a crash or power loss (RFC 8554 §5.2, "the private key is stateful").
/// </summary>
public interface ILmsStateStore
{
    /// <summary>The next unused leaf, or 0 for a new key.</summary>
    Task<long> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Durably records that leaves below <paramref name="next"/> are spent.</summary>
    Task ReserveAsync(long next, CancellationToken cancellationToken);
}

/// <summary>
/// The next leaf index in a small file, written to a temporary file, fsynced, renamed over the old one,
/// and the directory fsynced: after a crash the file holds the old or the new index, never less than
/// any index whose signature was released.
/// </summary>
public sealed class FileLmsStateStore(string path) : ILmsStateStore
{
    /// <inheritdoc />
    public async Task<long> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        var text = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var next) && next >= 0
            ? next
            : throw new InvalidDataException($"{path} does not hold an LMS state index; refusing to guess (a reused one-time key would break the signature scheme)");
    }

    /// <inheritdoc />
    public async Task ReserveAsync(long next, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(temporary, options))
        {
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(next.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    private static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // A rename is durable only once the directory entry is on disk; .NET cannot open a directory, so POSIX does.
        var descriptor = Posix.Open(directory, Posix.ReadOnlyDirectory);
        if (descriptor < 0)
        {
            throw new IOException($"cannot open {directory} to make the LMS state durable (errno {Marshal.GetLastPInvokeError()})");
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
