using System.Net;
using System.Net.Sockets;
using Rampart.Testing;

namespace Rampart.Server.Tests.Keys;

/// <summary>
/// swtpm 0.7 (Debian <c>swtpm</c>), a TPM 2.0 emulator built on libtpms, as a plain process on
/// loopback with its state in a temporary directory: once per test run (the OpenSSL tpm2 provider
/// takes one TCTI per process). <c>startup-clear</c> powers it on as firmware would.
/// </summary>
internal sealed class Swtpm
{
    private static readonly Lazy<Swtpm> SharedInstance = new(Start);
    private Swtpm(int port)
    {
        Tcti = $"swtpm:host=127.0.0.1,port={port}";
    }

    /// <summary>The run's TPM.</summary>
    public static Swtpm Shared => SharedInstance.Value;

    /// <summary>True when swtpm, tpm2-tools and the OpenSSL tpm2 provider are installed (tests/packages/keys.list).</summary>
    public static bool Installed => File.Exists("/usr/bin/swtpm") && File.Exists("/usr/bin/tpm2_createprimary")
        && Directory.GetDirectories("/usr/lib", "*-linux-gnu").Any(directory => File.Exists(Path.Combine(directory, "ossl-modules", "tpm2.so")));

    /// <summary>The TCTI that reaches it (tpm2-tools' and the provider's syntax).</summary>
    public string Tcti { get; }

    private static Swtpm Start()
    {
        var state = new TempDirectory();
        var port = FreePortPair();
        var process = RunningProcess.Start("swtpm",
        [
            "socket", "--tpm2", "--tpmstate", $"dir={state.Path}",
            "--server", $"type=tcp,port={port},bindaddr=127.0.0.1",
            "--ctrl", $"type=tcp,port={port + 1},bindaddr=127.0.0.1",
            "--flags", "not-need-init,startup-clear",
        ]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            process.Dispose();
            state.Dispose();
        };
        Eventually.HoldsAsync(() => Task.FromResult(Accepts(port)), "swtpm listens").GetAwaiter().GetResult();
        return new Swtpm(port);
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // The TCTI finds the control channel at the next port up.
    private static int FreePortPair()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var first = new TcpListener(IPAddress.Loopback, 0);
            first.Start();
            var port = ((IPEndPoint)first.LocalEndpoint).Port;
            try
            {
                using var second = new TcpListener(IPAddress.Loopback, port + 1);
                second.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken; try another pair.
            }
        }

        throw new InvalidOperationException("no two adjacent free loopback ports");
    }
}
