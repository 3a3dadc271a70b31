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
    private readonly TempDirectory _state;
    private readonly int _port;
    private RunningProcess _process;

    private Swtpm(TempDirectory state, int port, RunningProcess process)
    {
        _state = state;
        _port = port;
        _process = process;
        Tcti = $"swtpm:host=127.0.0.1,port={port}";
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            _process.Dispose();
            _state.Dispose();
        };
    }

    /// <summary>The run's TPM.</summary>
    public static Swtpm Shared => SharedInstance.Value;

    /// <summary>True when swtpm, tpm2-tools and the OpenSSL tpm2 provider are installed (tests/packages/keys.list).</summary>
    public static bool Installed => File.Exists("/usr/bin/swtpm") && File.Exists("/usr/bin/tpm2_createprimary")
        && Directory.GetDirectories("/usr/lib", "*-linux-gnu").Any(directory => File.Exists(Path.Combine(directory, "ossl-modules", "tpm2.so")));

    /// <summary>The TCTI that reaches it (tpm2-tools' and the provider's syntax).</summary>
    public string Tcti { get; }

    /// <summary>Stops the TPM process (the device's TPM gone); <see cref="Restart"/> brings it back with its state (persistent keys kept).</summary>
    public void Stop()
    {
        _process.KillHard();
        _process.WaitForExitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
    }

    /// <summary>Starts the TPM again on the same ports and state.</summary>
    public void Restart()
    {
        _process.Dispose();
        _process = Launch(_state, _port);
    }

    private static Swtpm Start()
    {
        var state = new TempDirectory();
        var port = FreePortPair();
        return new Swtpm(state, port, Launch(state, port));
    }

    private static RunningProcess Launch(TempDirectory state, int port)
    {
        var process = RunningProcess.Start("swtpm",
        [
            "socket", "--tpm2", "--tpmstate", $"dir={state.Path}",
            "--server", $"type=tcp,port={port},bindaddr=127.0.0.1",
            "--ctrl", $"type=tcp,port={port + 1},bindaddr=127.0.0.1",
            "--flags", "not-need-init,startup-clear",
        ]);
        Eventually.HoldsAsync(() => Task.FromResult(Accepts(port)), "swtpm listens").GetAwaiter().GetResult();
        return process;
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
