using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rampart.Testing.Servers;

/// <summary>
/// HAProxy 2.6 (Debian <c>haproxy</c>) as a plain process on loopback in TCP mode in front of
/// Rampart nodes, as docs/scale-out.md deploys it: MQTT and HTTPS passed through untouched (so mutual
/// TLS stays end to end between device and node), a PROXY protocol v2 header in front of every
/// connection to a node (<c>send-proxy-v2</c>), and each node checked with <c>GET /readyz</c> over
/// HTTPS. Its configuration and PID file live in a temporary directory; it ends with this object,
/// or with the test process (under a shell that stops it when the process's end of its stdin closes).
/// </summary>
public sealed class HaproxyServer : IDisposable
{
    private readonly RunningProcess _process;
    private readonly TempDirectory _directory;

    private HaproxyServer(RunningProcess process, TempDirectory directory, IPEndPoint mqtt, IPEndPoint https, string configuration)
    {
        _process = process;
        _directory = directory;
        Mqtt = mqtt;
        Https = https;
        Configuration = configuration;
    }

    /// <summary>Where devices connect for MQTT.</summary>
    public IPEndPoint Mqtt { get; }

    /// <summary>Where devices enroll and fetch updates.</summary>
    public IPEndPoint Https { get; }

    /// <summary>The configuration it runs with (for failure messages).</summary>
    public string Configuration { get; }

    /// <summary>What haproxy printed.</summary>
    public string Output => _process.Output;

    /// <summary>Starts haproxy in front of <paramref name="nodes"/> (each node's MQTT and HTTPS listener) and waits until both frontends accept connections.</summary>
    public static async Task<HaproxyServer> StartAsync(IReadOnlyList<(IPEndPoint Mqtt, IPEndPoint Https)> nodes)
    {
        var directory = new TempDirectory();
        var mqtt = new IPEndPoint(IPAddress.Loopback, FreePort());
        var https = new IPEndPoint(IPAddress.Loopback, FreePort());
        var configuration = Render(nodes, mqtt, https, directory.Sub("haproxy.pid"));
        var path = directory.Sub("haproxy.cfg");
        await File.WriteAllTextAsync(path, configuration);

        var check = await RunningProcess.RunAsync("haproxy", ["-c", "-f", path], TimeSpan.FromSeconds(60));
        if (check.ExitCode != 0)
        {
            directory.Dispose();
            throw new InvalidOperationException($"haproxy refused its configuration:\n{check.Output}\n{configuration}");
        }

        var process = RunningProcess.Start("bash",
            ["-c", "haproxy \"$@\" & server=$!; trap 'kill $server 2>/dev/null; wait $server' EXIT; read -r _", "haproxy", "-db", "-f", path],
            directory.Path);
        var server = new HaproxyServer(process, directory, mqtt, https, configuration);
        try
        {
            await Eventually.HoldsAsync(async () => await AcceptsAsync(mqtt) && await AcceptsAsync(https), "haproxy listens on its frontends", TimeSpan.FromSeconds(60));
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _process.Dispose();
        _directory.Dispose();
    }

    /// <summary>
    /// The configuration: the same one docs/scale-out.md shows, with timings short enough for a test
    /// (a node is marked down after two failed checks 300 ms apart) and connections to a node that
    /// refuses retried on another one (<c>option redispatch</c>).
    /// </summary>
    public static string Render(IReadOnlyList<(IPEndPoint Mqtt, IPEndPoint Https)> nodes, IPEndPoint mqtt, IPEndPoint https, string pidFile)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"""
            global
                maxconn 4096
                pidfile {pidFile}

            defaults
                mode tcp
                option redispatch
                retries 3
                timeout connect 2s
                timeout client 10m
                timeout server 10m
                timeout check 2s
                default-server inter 300ms fall 2 rise 1 send-proxy-v2 check-send-proxy check-ssl verify none

            frontend mqtt
                bind {mqtt}
                default_backend rampart_mqtt

            frontend https
                bind {https}
                default_backend rampart_https

            """);
        Backend(text, "rampart_mqtt", "leastconn", nodes.Select(n => $"{n.Mqtt} check port {n.Https.Port}"));
        Backend(text, "rampart_https", "roundrobin", nodes.Select(n => $"{n.Https} check"));
        return text.ToString();
    }

    // Each node checked with GET /readyz over HTTPS (its MQTT servers on the node's HTTPS port).
    private static void Backend(StringBuilder text, string name, string balance, IEnumerable<string> servers)
    {
        text.Append(CultureInfo.InvariantCulture, $"""

            backend {name}
                balance {balance}
                option httpchk
                http-check send meth GET uri /readyz
                http-check expect status 200

            """);
        foreach (var (server, index) in servers.Select((server, index) => (server, index)))
        {
            text.Append(CultureInfo.InvariantCulture, $"    server node{index} {server}\n");
        }
    }

    private static async Task<bool> AcceptsAsync(IPEndPoint endPoint)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(endPoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
