using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Rampart.Testing.Servers;

/// <summary>
/// SoftHSM 2.6 (Debian <c>softhsm2</c>) for the tests: a configuration and token directory of its
/// own in a temporary directory (no system-wide state), <c>SOFTHSM2_CONF</c> pointed at it for this
/// process and its children. Made once per test run, with a pool of tokens initialised before any
/// test loads the module (SoftHSM reads its token directory when it is initialised); each test takes
/// a token of its own with <see cref="Take"/>.
/// </summary>
public sealed partial class SoftHsm
{
    /// <summary>Where Debian installs the module.</summary>
    public const string Module = "/usr/lib/softhsm/libsofthsm2.so";

    /// <summary>The user PIN of every pool token.</summary>
    public const string Pin = "4711-rampart-test";

    private const int PoolSize = 16;
    private static readonly Lazy<SoftHsm> SharedInstance = new(Create);
    private readonly TempDirectory _directory;
    private int _next;

    private SoftHsm(TempDirectory directory, string configuration)
    {
        _directory = directory;
        Configuration = configuration;
    }

    /// <summary>The run's SoftHSM.</summary>
    public static SoftHsm Shared => SharedInstance.Value;

    /// <summary>True when the module is installed (test.sh installs it from tests/packages/keys.list).</summary>
    public static bool Installed => File.Exists(Module);

    /// <summary>The <c>SOFTHSM2_CONF</c> file.</summary>
    public string Configuration { get; }

    /// <summary>A token no other test uses, with its PIN in an owner-only file.</summary>
    public SoftHsmToken Take()
    {
        var index = Interlocked.Increment(ref _next);
        if (index > PoolSize)
        {
            throw new InvalidOperationException($"the SoftHSM pool has {PoolSize} tokens; raise PoolSize");
        }

        var label = Label(index);
        var pinFile = _directory.Sub($"{label}.pin");
        File.WriteAllText(pinFile, Pin + "\n");
        File.SetUnixFileMode(pinFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new SoftHsmToken(Module, label, pinFile);
    }

    private static SoftHsm Create()
    {
        var directory = new TempDirectory();
        var tokens = Directory.CreateDirectory(directory.Sub("tokens")).FullName;
        var configuration = directory.Sub("softhsm2.conf");
        File.WriteAllText(configuration, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");

        // Both the managed copy (for child processes) and the native environment (the module reads it with getenv).
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", configuration);
        _ = SetEnvironment("SOFTHSM2_CONF", configuration, 1);
        for (var i = 1; i <= PoolSize; i++)
        {
            InitializeToken(configuration, Label(i));
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => directory.Dispose();
        return new SoftHsm(directory, configuration);
    }

    // All labels the same length, so none is a prefix of another: OpenSC's pkcs11-tool --token-label takes
    // the first slot whose label starts with the name given, and SoftHSM orders slots by its directory
    // listing, so with "rampart-test-1" and "rampart-test-10" it could pick token 10 for token 1.
    private static string Label(int index) => $"rampart-test-{index:D2}";

    private static void InitializeToken(string configuration, string label)
    {
        var start = new ProcessStartInfo("softhsm2-util", ["--init-token", "--free", "--label", label, "--pin", Pin, "--so-pin", "so-" + Pin])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["SOFTHSM2_CONF"] = configuration;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"softhsm2-util --init-token failed: {output}");
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);
}

/// <summary>One SoftHSM token: module, label, and the file holding its user PIN.</summary>
public sealed record SoftHsmToken(string Module, string Label, string PinFile);
