using System.Reflection;
using System.Runtime.InteropServices;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Rampart.Pki.Keys.Pkcs11;

/// <summary>
/// Loads PKCS#11 modules through Pkcs11Interop, one instance per module per process: C_Initialize
/// and C_Finalize are process-wide (PKCS#11 v2.40 §5.4), so a second load of the same module would
/// share — and its disposal finalize — the first one's state. Users take a reference and give it
/// back; the module is finalized when the last one does.
/// </summary>
internal static class Pkcs11Library
{
    private static readonly Lazy<Pkcs11InteropFactories> _factories = new(() =>
    {
        // Pkcs11Interop imports dlopen from "libdl"; glibc 2.34+ systems (Debian 12) ship only libdl.so.2
        // (dlopen itself lives in libc there), so map the name before the first module is loaded.
        NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, Resolve);
        return new Pkcs11InteropFactories();
    });

    private static readonly Dictionary<string, (IPkcs11Library Library, int References)> _loaded = new(StringComparer.Ordinal);
    private static readonly Lock _lock = new();

    public static Pkcs11InteropFactories Factories => _factories.Value;

    /// <summary>The module at <paramref name="path"/>, loaded and initialised on first use.</summary>
    public static IPkcs11Library Acquire(string path)
    {
        lock (_lock)
        {
            if (!_loaded.TryGetValue(path, out var entry))
            {
                entry = (Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, path, AppType.MultiThreaded), 0);
            }

            _loaded[path] = (entry.Library, entry.References + 1);
            return entry.Library;
        }
    }

    /// <summary>
    /// After a token was removed: finalizes <paramref name="stale"/> and initialises the module again,
    /// keeping every reference (the other users' sessions died with the token too; they reconnect
    /// the same way and get this new instance). When another user re-initialised it already, returns that instance.
    /// </summary>
    public static IPkcs11Library Reinitialize(string path, IPkcs11Library stale)
    {
        lock (_lock)
        {
            if (!_loaded.TryGetValue(path, out var entry))
            {
                throw new InvalidOperationException($"{path} is not loaded");
            }

            if (!ReferenceEquals(entry.Library, stale))
            {
                return entry.Library;
            }

            try
            {
                stale.Dispose();
            }
            catch (Pkcs11Exception)
            {
                // C_Finalize of a module whose token vanished may fail; the new C_Initialize is what matters.
            }

            var fresh = Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, path, AppType.MultiThreaded);
            _loaded[path] = (fresh, entry.References);
            return fresh;
        }
    }

    /// <summary>Gives back a reference from <see cref="Acquire"/>; the last one finalizes the module.</summary>
    public static void Release(string path)
    {
        lock (_lock)
        {
            if (!_loaded.TryGetValue(path, out var entry))
            {
                return;
            }

            if (entry.References > 1)
            {
                _loaded[path] = (entry.Library, entry.References - 1);
                return;
            }

            _loaded.Remove(path);
            entry.Library.Dispose();
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == "libdl" && (NativeLibrary.TryLoad("libdl.so.2", out var handle) || NativeLibrary.TryLoad("libc.so.6", out handle)) ? handle : IntPtr.Zero;
}
