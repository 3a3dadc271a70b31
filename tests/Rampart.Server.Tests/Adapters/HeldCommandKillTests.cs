using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;
using Rampart.Testing.Crash;

namespace Rampart.Server.Tests.Adapters;

/// <summary>
/// Issue 21, write-through: a command in an open HTTPS link's buffer (already acknowledged to the broker)
/// is in the database at once, so it survives a <c>kill -9</c> of the node. The node runs as
/// <c>rampart serve</c> in a child process (killed for real with SIGKILL); the service publishes with
/// mosquitto_pub over mutual TLS and the device long-polls with curl.
/// </summary>
public sealed partial class HeldCommandKillTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_command_in_an_open_links_buffer_reaches_the_devices_long_poll_after_the_node_is_killed_with_sigkill_and_restarted()
    {
        // 1. Enroll the device and the ingest service in this process, then hand the data directory to a child process.
        await using var enrolling = await GatewayNode.StartAsync();
        var device = await enrolling.EnrollDeviceAsync("http-kill");
        var service = await enrolling.ServiceAsync("ingest");
        await enrolling.Node.DisposeAsync();
        var data = enrolling.Node.Node.DataDirectory;
        var database = Path.Combine(data, "rampart.db");
        var port = FreePort();

        using (var node = RunningProcess.Start("dotnet", Serve(data, port), environment: Environment()))
        {
            var https = await ReadyAsync(node);

            // 2. The device's first poll opens its link (kept open: the idle timeout is ten minutes); the
            //    service's command lands in the link's buffer and is acknowledged to the broker.
            Assert.Equal(204, (await AdapterNode.CurlAsync(enrolling.RootPemPath, https, device, "GET", "/device/v1/commands?wait=0")).Status);
            var (exit, output) = await RunningProcess.RunAsync("mosquitto_pub",
                ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "--cafile", enrolling.RootPemPath, "--cert", service.CertificatePath,
                 "--key", service.KeyPath, "-i", "ingest-1", "-V", "mqttv311", "-q", "1", "-t", "devices/http-kill/commands/valve", "-m", "shut"], Patience);
            Assert.True(exit == 0, output);

            // 3. Written through at once (not at the link's close): then SIGKILL, no orderly close runs.
            await Eventually.HoldsAsync(async () => await HeldAsync(database, "http-kill") == 1, "the buffered command reached the database", Patience);
            node.KillHard();
            await node.WaitForExitAsync(Patience);
        }

        // 4. A new process on the same data: the device's next long poll gets the command, once.
        using var restarted = RunningProcess.Start("dotnet", Serve(data, port), environment: Environment());
        var again = await ReadyAsync(restarted);
        var (status, body) = await AdapterNode.CurlAsync(enrolling.RootPemPath, again, device, "GET", "/device/v1/commands?wait=10", "-D", "-");
        Assert.True(status == 200, body);
        Assert.Contains("rampart-command: valve", body, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("shut", body.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(0, await HeldAsync(database, "http-kill"));
        Assert.Equal(204, (await AdapterNode.CurlAsync(enrolling.RootPemPath, again, device, "GET", "/device/v1/commands?wait=0")).Status);
    }

    private static string[] Serve(string data, int port) =>
        [CrashHarness.Dll, "serve", "--data", data, "--https", "127.0.0.1:0", "--mqtt", $"127.0.0.1:{port}"];

    private static Dictionary<string, string> Environment() => new()
    {
        // The service name is a key the gateway compares exactly: spelled as the certificate names it.
        ["RAMPART__GATEWAY__SERVICES__ingest__CLIENTIDS"] = "ingest-*",
        ["RAMPART__GATEWAY__SERVICES__ingest__PUBLISH__0"] = "devices/+/commands/#",
        ["RAMPART__SUPPLYCHAIN__ENFORCEGATE"] = "false",
        ["RAMPART__SUPPLYCHAIN__ATTESTONCONNECT"] = "false",

        // The link must still be open (not closed idle, which would hold the command anyway) when the node is killed.
        ["RAMPART__ADAPTERS__LINKIDLETIMEOUT"] = "00:10:00",
    };

    private static async Task<Uri> ReadyAsync(RunningProcess node) =>
        new((await node.WaitForOutputAsync(Ready(), Patience)).Groups[1].Value);

    private static async Task<long> HeldAsync(string databasePath, string deviceId)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM adapter_held_commands WHERE device_id = $d";
        command.Parameters.AddWithValue("$d", deviceId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"Rampart node ready: https=(https://[0-9.:\[\]]+/)")]
    private static partial Regex Ready();
}
