using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Rampart.Testing.Servers;

/// <summary>
/// nats-server 2.9 (Debian <c>nats-server</c>) as a plain process for the tests: core NATS on a
/// free loopback port, its log and PID file in its own temporary directory.
/// <para>
/// One server per test run: test.sh starts it and exports <see cref="EnvironmentVariable"/> (its
/// URL); without it (<c>dotnet test</c> alone) <see cref="Shared"/> starts one for this test
/// assembly and stops it when the process exits. Nodes of different tests share the server; every
/// test gives its nodes a cluster prefix of its own (<c>Rampart:Cluster:Prefix</c>), so they never
/// hear each other.
/// </para>
/// </summary>
public sealed partial class NatsServer : IDisposable
{
    /// <summary>The URL of the run's shared server, set by test.sh (<c>nats://127.0.0.1:PORT</c>).</summary>
    public const string EnvironmentVariable = "RAMPART_TEST_NATS";

    private static readonly Lazy<Task<NatsServer>> SharedServer = new(StartSharedAsync);
    private readonly RunningProcess? _process;
    private readonly TempDirectory? _directory;

    private NatsServer(Uri url, RunningProcess? process, TempDirectory? directory)
    {
        Url = url;
        _process = process;
        _directory = directory;
    }

    /// <summary>Where clients connect.</summary>
    public Uri Url { get; }

    /// <summary>The run's server: the one test.sh started, or one started now for this assembly.</summary>
    public static Task<NatsServer> Shared => SharedServer.Value;

    /// <summary>The server's process ID when this process started it (for CPU accounting in bench/), else null.</summary>
    public int? ProcessId =>
        _directory is not null && File.Exists(_directory.Sub("nats.pid")) && int.TryParse(File.ReadAllText(_directory.Sub("nats.pid")).Trim(), out var id) ? id : null;

    /// <summary>The loopback port it listens on.</summary>
    public int Port => Url.Port;

    /// <summary>
    /// Starts a private server on <paramref name="port"/> (a free loopback port by default; the port of a
    /// stopped one to bring it back), with JetStream (<c>-js</c>, its store in the server's temporary
    /// directory) when <paramref name="jetStream"/>.
    /// </summary>
    public static async Task<NatsServer> StartAsync(int? port = null, bool jetStream = false)
    {
        var directory = new TempDirectory();
        port ??= FreePort();
        // Under a shell that stops the server when this process's end of its stdin closes: xunit's
        // test host may end without running ProcessExit handlers, and a kill -9 never runs them.
        var process = RunningProcess.Start("bash",
            ["-c", "nats-server \"$@\" & server=$!; trap 'kill $server 2>/dev/null; wait $server' EXIT; read -r _", "nats-server",
             "-a", "127.0.0.1", "-p", port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "-P", directory.Sub("nats.pid"),
             .. (jetStream ? new[] { "-js", "-sd", directory.Sub("jetstream") } : [])],
            directory.Path);
        try
        {
            await process.WaitForOutputAsync(Ready(), TimeSpan.FromSeconds(60));
        }
        catch
        {
            process.Dispose();
            directory.Dispose();
            throw;
        }

        return new NatsServer(new Uri($"nats://127.0.0.1:{port}"), process, directory);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _process?.Dispose();
        _directory?.Dispose();
    }

    private static async Task<NatsServer> StartSharedAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            return new NatsServer(new Uri(given), null, null);
        }

        var server = await StartAsync();

        // The assembly's server ends with its test process (xunit has no assembly-wide teardown).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("Server is ready")]
    private static partial Regex Ready();
}
