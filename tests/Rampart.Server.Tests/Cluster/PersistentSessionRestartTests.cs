using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;
using Rampart.Testing.Crash;

namespace Rampart.Server.Tests.Cluster;

/// <summary>
/// Issue 15 item 5: a single SQLite node's persistent sessions and their queued QoS 1 messages
/// survive a kill -9 of the node process. The node runs as <c>rampart serve</c> in a child process
/// (so it can be killed for real); the clients are mosquitto_sub -c / mosquitto_pub over mutual TLS.
/// </summary>
public sealed partial class PersistentSessionRestartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_clean_session_0_subscriber_gets_the_qos1_messages_queued_for_it_after_its_node_is_killed_and_restarted()
    {
        // 1. Enroll a device and a service on a node in this process, then hand its data directory to a child process.
        await using var enrolling = await GatewayNode.StartAsync();
        var (device, service, data, port, Tls) = await HandOverAsync(enrolling, "locker-1");
        const string Topic = "devices/locker-1/commands/open";

        using (var node = await ServeAsync(data, port))
        {
            // 2. The device subscribes at QoS 1 with clean session 0 (-c) and leaves once it heard a first
            //    command (sent at QoS 0 until one arrives: QoS 0 is never queued for an offline session).
            await ReceiveAsync(Tls(device, device.Id), 1, publish: () => PublishAsync(Tls(service, "ingest-1"), Topic, "hello", qos: "0"));

            // 3. Three commands while it is away: queued in its session; then the node dies with SIGKILL once they reached the store.
            foreach (var n in new[] { "1", "2", "3" })
            {
                await PublishAsync(Tls(service, "ingest-1"), Topic, "queued-" + n, qos: "1");
            }

            await Eventually.HoldsAsync(async () => await StoredSessions.MessagesInSqliteAsync(Path.Combine(data, "rampart.db"), device.Id) == 3,
                "the three queued messages reached the node's store", Patience);
            node.KillHard();
            await node.WaitForExitAsync(Patience);
        }

        // 4. A new process on the same data: the device resumes its session and gets all three, in order, without subscribing again.
        using var restarted = await ServeAsync(data, port);
        var output = await ReceiveAsync(Tls(device, device.Id), 3, publish: null);
        Assert.Equal(["queued-1", "queued-2", "queued-3"], output);
    }

    [Fact]
    public async Task Retained_messages_and_their_clearing_survive_a_kill_9_of_a_single_sqlite_node()
    {
        await using var enrolling = await GatewayNode.StartAsync();
        var (device, service, data, port, Tls) = await HandOverAsync(enrolling, "locker-2");

        // 1. A service retains two commands for the device and clears one of them (mosquitto_pub -r; -n sends the empty clearing message).
        using (var node = await ServeAsync(data, port))
        {
            await PublishAsync([.. Tls(service, "ingest-1"), "-r"], "devices/locker-2/commands/config", "mode=eco", qos: "1");
            await PublishAsync([.. Tls(service, "ingest-1"), "-r"], "devices/locker-2/commands/schedule", "06:00", qos: "1");
            var (exitCode, output) = await RunningProcess.RunAsync("mosquitto_pub", [.. Tls(service, "ingest-1"), "-r", "-n", "-q", "1", "-t", "devices/locker-2/commands/schedule"], Patience);
            Assert.True(exitCode == 0, output);
            await Eventually.HoldsAsync(async () => await StoredSessions.RetainedInSqliteAsync(Path.Combine(data, "rampart.db")) == "config;schedule(cleared)",
                "the retained topics reached the node's store", Patience);
            node.KillHard();
            await node.WaitForExitAsync(Patience);
        }

        // 2. After the restart the device subscribes and gets the retained configuration first, then a live marker: not the cleared schedule.
        using var restarted = await ServeAsync(data, port);
        using var subscriber = RunningProcess.Start("mosquitto_sub", [.. Tls(device, device.Id), "-v", "-q", "1", "-t", "devices/locker-2/commands/#", "-C", "2", "-W", "50"]);
        await Eventually.HoldsAsync(() => Task.FromResult(subscriber.Output.Contains("mode=eco", StringComparison.Ordinal)), "the retained configuration arrived", Patience);
        await PublishAsync(Tls(service, "ingest-1"), "devices/locker-2/commands/marker", "live", qos: "1");
        Assert.True(await subscriber.WaitForExitAsync(Patience) == 0, subscriber.Output);
        Assert.Equal(["devices/locker-2/commands/config mode=eco", "devices/locker-2/commands/marker live"],
            subscriber.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    // A device and the ingest service enrolled on a node in this process, which then stops and leaves its data
    // directory to a child process on a free port; Tls gives mosquitto clients' arguments for an identity there.
    private static async Task<(EnrolledIdentity Device, EnrolledIdentity Service, string Data, int Port, Func<EnrolledIdentity, string, string[]> Tls)> HandOverAsync(
        GatewayNode enrolling, string deviceId)
    {
        var device = await enrolling.EnrollDeviceAsync(deviceId);
        var service = await enrolling.ServiceAsync("ingest");
        await enrolling.Node.DisposeAsync();
        var port = FreePort();
        return (device, service, enrolling.Node.Node.DataDirectory, port, (identity, clientId) =>
            ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "--cafile", enrolling.RootPemPath, "--cert", identity.CertificatePath, "--key", identity.KeyPath,
             "-i", clientId, "-V", "mqttv311"]);
    }

    private static async Task<RunningProcess> ServeAsync(string data, int port)
    {
        var node = RunningProcess.Start("dotnet", [CrashHarness.Dll, "serve", "--data", data, "--https", "127.0.0.1:0", "--mqtt", $"127.0.0.1:{port}"],
            environment: new Dictionary<string, string>
            {
                // The service name is a key the gateway compares exactly: spelled as the certificate names it.
                ["RAMPART__GATEWAY__SERVICES__ingest__CLIENTIDS"] = "ingest-*",
                ["RAMPART__GATEWAY__SERVICES__ingest__PUBLISH__0"] = "devices/+/commands/#",
                ["RAMPART__SUPPLYCHAIN__ENFORCEGATE"] = "false",

                // The subscriber counts the commands queued for it; an attestation challenge would be one more.
                ["RAMPART__SUPPLYCHAIN__ATTESTONCONNECT"] = "false",
            });
        await node.WaitForOutputAsync(Ready(), Patience);
        return node;
    }

    private static async Task PublishAsync(string[] tls, string topic, string message, string qos)
    {
        var (exitCode, output) = await RunningProcess.RunAsync("mosquitto_pub", [.. tls, "-q", qos, "-t", topic, "-m", message], Patience);
        Assert.True(exitCode == 0, output);
    }

    // mosquitto_sub -c: clean session 0 (MQTT 3.1.1 §3.1.2.4); -C: leave after that many messages.
    private static async Task<string[]> ReceiveAsync(string[] tls, int count, Func<Task>? publish)
    {
        using var subscriber = RunningProcess.Start("mosquitto_sub", [.. tls, "-c", "-q", "1", "-t", "devices/locker-1/commands/#", "-C", count.ToString(CultureInfo.InvariantCulture), "-W", "50"]);
        if (publish is not null)
        {
            // Until the subscription is in place, a command goes nowhere: send until one arrives.
            await Eventually.HoldsAsync(async () =>
            {
                await publish();
                return subscriber.Output.Contains("hello", StringComparison.Ordinal);
            }, "the subscriber heard a first command", Patience);
        }

        var exitCode = await subscriber.WaitForExitAsync(Patience);
        Assert.True(exitCode == 0, subscriber.Output);
        return subscriber.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"Rampart node ready: https=")]
    private static partial Regex Ready();
}
