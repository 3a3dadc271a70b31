using System.Runtime.InteropServices;

namespace Rampart.Server.DataDirectory;

/// <summary>The few POSIX calls .NET does not wrap.</summary>
internal static partial class UnixProcess
{
    /// <summary>From now on, files and sockets this process creates are owner-only (umask 077).</summary>
    public static void RestrictNewFilesToOwner()
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = umask(0b000_111_111);
        }
    }

    /// <summary>The effective user id of this process.</summary>
    public static uint EffectiveUserId => OperatingSystem.IsWindows() ? 0 : geteuid();

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint umask(uint mask);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint geteuid();
}
