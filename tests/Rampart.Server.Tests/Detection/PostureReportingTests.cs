using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Rampart.Detection.Alerts;
using Rampart.Device.Connection;
using Rampart.Device.Enrollment;
using Rampart.Device.Posture;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Detection;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Detection;

/// <summary>The device SDK reports established connections and destinations from the real socket table, and detection judges them.</summary>
public sealed class PostureReportingTests
{
    [Fact]
    public async Task The_socket_table_shows_a_listening_port_and_an_established_connection_with_its_destination()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var accepted = await listener.AcceptTcpClientAsync();
        var clientPort = ((IPEndPoint)client.Client.LocalEndPoint!).Port;

        // The kernel's own table, narrowed to this test's sockets (the machine has many others, past the report's bound).
        using var directory = new TempDirectory();
        var ours = new[] { port, clientPort }.Select(p => ":" + p.ToString("X4", CultureInfo.InvariantCulture) + " ").ToArray();
        var table = File.ReadAllLines("/proc/net/tcp");
        File.WriteAllLines(Path.Combine(directory.Path, "tcp"), [table[0], .. table.Skip(1).Where(line => ours.Any(line.Contains))]);

        var sockets = SocketTable.Read(directory.Path);

        Assert.Equal([port], sockets.ListeningPorts);
        Assert.Equal(2, sockets.EstablishedConnections);
        Assert.Equal(new[] { $"127.0.0.1:{port}", $"127.0.0.1:{clientPort}" }.Order(), sockets.Destinations.Order());

        // The machine's whole table stays within the report's bounds.
        var all = SocketTable.Read();
        Assert.InRange(all.ListeningPorts.Count, 1, SocketTable.MaxItems);
        Assert.InRange(all.Destinations.Count, 1, SocketTable.MaxItems);
        Assert.True(all.EstablishedConnections >= 2);
    }

    [Fact]
    public async Task A_device_that_reports_a_new_destination_through_the_sdk_is_alerted()
    {
        await using var node = await GatewayNode.StartAsync(new Dictionary<string, string?> { ["Rampart:Detection:Window"] = "00:00:01" });
        var (_, token) = await node.Get<InventoryService>().AddAsync(new NewDevice("dest-1", Model: "sensor"), "test", CancellationToken.None);
        var certificate = await new EstClient(node.Node.Node.HttpsUri, node.Root).EnrollAsync("dest-1", token.Token, CancellationToken.None);
        await using var device = new DeviceMqttClient(DetectionEndToEndTests.Options(node, "dest-1", certificate));
        await device.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        var usual = new SocketSnapshot([443], 2, ["203.0.113.10:443", "203.0.113.11:123"]);
        var host = node.Get<DetectionHost>();
        var passes = host.Passes;
        await Eventually.HoldsAsync(async () =>
        {
            Assert.Equal(MqttReasonCode.Success, await device.ReportPostureAsync(Report(usual)));
            return host.Passes >= passes + 2;
        }, "two windows with the usual destinations");

        Assert.Equal(MqttReasonCode.Success, await device.ReportPostureAsync(Report(usual with { EstablishedConnections = 3, Destinations = [.. usual.Destinations, "198.51.100.66:4444"] })));

        Alert? alert = null;
        await Eventually.HoldsAsync(async () =>
        {
            alert = (await node.Get<AlertService>().ListAsync(new AlertQuery(DeviceId: "dest-1"), CancellationToken.None)).FirstOrDefault(a => a.Detector == "novelty.destination");
            return alert is not null;
        }, "the new destination raises an alert");
        Assert.Equal("198.51.100.66:4444", alert!.Evidence["new-destinations"]);
    }

    private static PostureReport Report(SocketSnapshot sockets) =>
        PostureReport.FromSockets("2.1.0", 3, TimeSpan.FromHours(5), sockets, [], DateTimeOffset.UtcNow, "sha256:" + new string('a', 64));
}
