namespace Rampart.Server.DataDirectory;

/// <summary>Files only their owner may read: keys, certificates' private halves, tokens.</summary>
public static class OwnerOnlyFile
{
    /// <summary>Read and write for the owner, nothing for anyone else (0600).</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Group and other bits; none may be set on a key file.</summary>
    public const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Writes the whole file or nothing: a 0600 temporary file beside it, flushed to disk, renamed over
    /// the target, the directory flushed, so a crash never leaves half a key (one implementation:
    /// <see cref="Rampart.Updates.Files.AtomicFile"/>).
    /// </summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> contents, bool syncDirectory = true) =>
        Rampart.Updates.Files.AtomicFile.Write(path, contents, syncDirectory);

    /// <summary>Null when only the owner can read <paramref name="path"/>, else a message that says how to fix it.</summary>
    public static string? ProblemWith(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var mode = File.GetUnixFileMode(path);
        return (mode & GroupOrOther) == 0
            ? null
            : $"key file {path} is accessible by group or others (mode {ToOctal(mode)}); it must be owner-only: chmod 600 '{path}'";
    }

    /// <summary>Mode bits as <c>0644</c>.</summary>
    public static string ToOctal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0b111_111_111, 8);
}
