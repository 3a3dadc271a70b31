using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace Rampart.Testing.Servers;

/// <summary>
/// PostgreSQL 15 (Debian <c>postgresql</c>) as a plain process for the tests: <c>initdb</c> into a
/// temporary directory, the server on a free loopback port with its Unix socket in that directory,
/// password (SCRAM) authentication. PostgreSQL refuses to run as root, so under root every command
/// runs as the Debian package's <c>postgres</c> user (<c>runuser -u postgres</c>).
/// <para>
/// One server per test run: test.sh starts it and exports <see cref="EnvironmentVariable"/> (an
/// administrator connection string); without it (<c>dotnet test</c> alone) <see cref="Shared"/>
/// starts one for this test assembly and stops it when the process exits. Every test asks for its
/// own database (<see cref="CreateDatabaseAsync"/>), so tests stay independent. A test that stops
/// PostgreSQL under a node starts a private server (<see cref="StartAsync"/>) instead.
/// </para>
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>The administrator connection string of the run's shared server, set by test.sh.</summary>
    public const string EnvironmentVariable = "RAMPART_TEST_POSTGRES";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private static readonly Lazy<Task<PostgresServer>> SharedServer = new(StartSharedAsync);
    private readonly TempDirectory? _directory;

    private PostgresServer(string adminConnectionString, TempDirectory? directory, int port)
    {
        AdminConnectionString = adminConnectionString;
        _directory = directory;
        Port = port;
    }

    /// <summary>Connection string of the administrator (a superuser) to the <c>postgres</c> database.</summary>
    public string AdminConnectionString { get; }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The run's server: the one test.sh started, or one started now for this assembly.</summary>
    public static Task<PostgresServer> Shared => SharedServer.Value;

    /// <summary>A connection string to a new, empty database on the shared server (its own per test).</summary>
    public static async Task<string> NewDatabaseAsync() => await (await Shared).CreateDatabaseAsync();

    /// <summary>Creates an empty database and returns a connection string to it (same credentials as the administrator's).</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "rt_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Starts a private server (initdb, then pg_ctl start) in a new temporary directory.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var directory = new TempDirectory();
        try
        {
            var port = FreePort();
            var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            await File.WriteAllTextAsync(directory.Sub("password"), password);
            Directory.CreateDirectory(directory.Sub("socket"));
            if (Environment.UserName == "root")
            {
                await RunAsync("chown", ["-R", "postgres:postgres", directory.Path]);
            }

            await RunAsPostgresAsync(Binary("initdb"),
                ["-D", directory.Sub("data"), "-U", "rampart", "--auth=scram-sha-256", "--pwfile", directory.Sub("password"), "--no-locale", "-E", "UTF8", "--no-sync"]);
            var server = new PostgresServer(
                $"Host=127.0.0.1;Port={port};Username=rampart;Password={password};Database=postgres;Timeout=10", directory, port);
            await server.StartProcessAsync();
            return server;
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Stops the server (fast shutdown: sessions are ended, what committed stays). Only a server this process started.</summary>
    public Task StopAsync() =>
        RunAsPostgresAsync(Binary("pg_ctl"), ["-D", OwnDirectory.Sub("data"), "-m", "fast", "-w", "stop"]);

    /// <summary>Starts the stopped server again on the same port and data.</summary>
    public Task RestartAsync() => StartProcessAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_directory is null)
        {
            return;
        }

        try
        {
            await RunAsPostgresAsync(Binary("pg_ctl"), ["-D", _directory.Sub("data"), "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        _directory.Dispose();
    }

    private TempDirectory OwnDirectory => _directory ?? throw new InvalidOperationException($"the server of {EnvironmentVariable} belongs to test.sh; start a private one to stop it");

    private Task StartProcessAsync() =>
        RunAsPostgresAsync(Binary("pg_ctl"),
        [
            "-D", OwnDirectory.Sub("data"), "-l", OwnDirectory.Sub("server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {OwnDirectory.Sub("socket")} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=32MB", "start",
        ]);

    private static async Task<PostgresServer> StartSharedAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            return new PostgresServer(given, null, new NpgsqlConnectionStringBuilder(given).Port);
        }

        var server = await StartAsync();

        // The assembly's server ends with its test process (xunit has no assembly-wide teardown).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }

    private static string Binary(string name)
    {
        // Debian keeps the server programs out of PATH, under /usr/lib/postgresql/<major>/bin.
        var found = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Order(StringComparer.Ordinal).Select(d => Path.Combine(d, "bin", name)).LastOrDefault(File.Exists)
            : null;
        return found ?? throw new InvalidOperationException($"PostgreSQL's {name} is not installed (Debian package postgresql; test.sh installs it)");
    }

    private static Task RunAsPostgresAsync(string program, IReadOnlyList<string> arguments) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments])
            : RunAsync(program, arguments);

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var (exitCode, output) = await RunningProcess.RunAsync(program, arguments, CommandTimeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments.Take(3))} … exited with {exitCode}: {output}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
