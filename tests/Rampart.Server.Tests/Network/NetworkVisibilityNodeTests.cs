using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using PacketDotNet;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Inventory;
using Rampart.Network.Analysis;
using Rampart.Network.Inventory;
using Rampart.Server.Tests.Posture;
using Rampart.Testing;
using Rampart.Testing.Network;

namespace Rampart.Server.Tests.Network;

/// <summary>
/// Network visibility in a running node (issue 21 item 5): tcpdump captures imported with
/// <c>rampart network import</c>, the inventory read with <c>rampart network devices</c> and the
/// HTTPS API, softflowd exporting IPFIX to the node's own collector, its counters on <c>/metrics</c>,
/// and addresses and MACs bound to devices by hand. Each test captures between its own pair of
/// loopback addresses (127.0.0.24–27 serve, 127.0.0.51–54 are clients), which no other test project uses.
/// </summary>
public sealed class NetworkVisibilityNodeTests(NetworkNode fixture) : IClassFixture<NetworkNode>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rampart-netnode-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static IPAddress At(string address) => IPAddress.Parse(address);

    private async Task<HttpClient> ClientAsync(string role)
    {
        var client = fixture.Node.Node.HttpsClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await OperatorTokens.ForRoleAsync(fixture.Node.Node.Node, role));
        return client;
    }

    [Fact]
    public async Task An_imported_capture_flags_a_registered_devices_telnet_and_plain_mqtt_and_lists_the_unknown_host_it_talked_to()
    {
        var (server, client) = (At("127.0.0.24"), At("127.0.0.51"));
        var device = await fixture.Node.EnrollDeviceAsync("net-thermostat");
        await using (var mqtt = await fixture.Node.ConnectAsync(device, localAddress: client))
        {
            await mqtt.ConnectAsync(device.Id);
            await fixture.AddressRecordedAsync(client, "net-thermostat");
        }

        var capture = await LoopbackCapture.RecordAsync(_directory, server, client);
        var (exit, output) = await fixture.CliAsync("network", "import", capture);
        Assert.True(exit == 0, output);
        Assert.Matches(@"\d+ frames .* 2 hosts \(2 new, 1 unknown\), \d+ findings", output);

        var unknown = await fixture.DevicesAsync(unknownOnly: true);
        var host = Assert.Single(unknown, h => h.Address == server.ToString());
        Assert.Equal(["http", "mqtt", "telnet"], host.Insecure);
        Assert.Equal(["tcp/1883", "tcp/23", "tcp/443", "tcp/80"], host.Ports);
        Assert.DoesNotContain(unknown, h => h.Address == client.ToString());
        Assert.Equal("net-thermostat", Assert.Single(await fixture.DevicesAsync(), h => h.Address == client.ToString()).DeviceId);

        // The registered device's insecure protocols are events about it; the unknown host is an event once.
        var telnet = await fixture.Node.EventAsync(NetworkFinding.InsecureProtocol, e => e.DeviceId == "net-thermostat" && e.Details.GetValueOrDefault("protocol") == "telnet");
        Assert.Contains(server.ToString(), telnet.Details["summary"], StringComparison.Ordinal);
        await fixture.Node.EventAsync(NetworkFinding.UnknownDevice, e => e.Source == server.ToString());

        // The HTTPS API: an operator reads the inventory, but importing takes system:write.
        using var operatorClient = await ClientAsync("operator");
        var listed = await operatorClient.GetStringAsync("api/v1/network/devices?unknown=true");
        Assert.Contains($"\"address\":\"{server}\"", listed, StringComparison.Ordinal);
        using var refused = await operatorClient.PostAsync("api/v1/network/imports", new ByteArrayContent(await File.ReadAllBytesAsync(capture)));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task A_malformed_capture_is_refused_with_its_reason_over_the_api_and_the_cli_and_imports_nothing()
    {
        var entriesBefore = await AuditCountAsync("network.imported");
        var elf = Path.Combine(_directory, "not-a-capture.pcap");
        await File.WriteAllBytesAsync(elf, [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0, 0, 0, 0, 0]);

        var (exit, output) = await fixture.CliAsync("network", "import", elf);
        Assert.Equal(2, exit);
        Assert.Contains("not a pcap or pcapng file", output, StringComparison.Ordinal);

        using var admin = await ClientAsync("admin");
        using var response = await admin.PostAsync("api/v1/network/imports", new ByteArrayContent(await File.ReadAllBytesAsync(elf)));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a pcap or pcapng file", body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.Equal(entriesBefore, await AuditCountAsync("network.imported"));
    }

    [Fact]
    public async Task Softflowd_exporting_ipfix_to_the_nodes_collector_inventories_the_hosts_and_the_counters_reach_metrics()
    {
        var (server, client) = (At("127.0.0.26"), At("127.0.0.53"));
        var capture = await LoopbackCapture.RecordAsync(_directory, server, client);
        var collector = fixture.Collector;
        using (var softflowd = Process.Start(new ProcessStartInfo("softflowd", ["-r", capture, "-n", collector.ToString(), "-v", "10", "-d"]) { RedirectStandardError = true, RedirectStandardOutput = true })!)
        {
            await softflowd.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, softflowd.ExitCode);
        }

        // A datagram from an address that is not a listed exporter is refused and counted.
        using (var stranger = new UdpClient(new IPEndPoint(At("127.0.0.77"), 0)))
        {
            await stranger.SendAsync(new byte[] { 0, 10, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, collector);
        }

        NetworkHost? seen = null;
        await Eventually.HoldsAsync(async () => (seen = (await fixture.DevicesAsync()).FirstOrDefault(h => h.Address == server.ToString() && h.Insecure.Count == 2)) is not null,
            "the collector's flows judged and stored");
        Assert.Equal(["mqtt", "telnet"], seen!.Insecure); // a flow record carries no payload: Basic auth is not seen
        await fixture.Node.EventAsync(NetworkFinding.UnknownDevice, e => e.Source == server.ToString());

        using var scraper = await ClientAsync("operator");
        var label = $"collector=\"{collector}\"";
        await Eventually.HoldsAsync(async () =>
        {
            var text = await scraper.GetStringAsync("metrics");
            return Sample(text, "rampart_network_collector_records", label) >= 8 && Sample(text, "rampart_network_collector_templates", label) >= 1
                && Sample(text, "rampart_network_collector_exporters_refused", label) >= 1 && Sample(text, "rampart_network_collector_datagrams", label) >= 2;
        }, "the collector's counters on /metrics");
        var final = await scraper.GetStringAsync("metrics");
        Assert.Equal(0, Sample(final, "rampart_network_collector_malformed", label));
        Assert.Equal(0, Sample(final, "rampart_network_collector_records_dropped", label));
    }

    [Fact]
    public async Task An_address_bound_to_a_device_by_hand_matches_its_host_at_once_and_in_later_imports_and_unbinding_undoes_it()
    {
        var (server, client) = (At("127.0.0.25"), At("127.0.0.54"));
        await fixture.Node.Get<InventoryService>().AddAsync(new NewDevice("net-camera"), "test", CancellationToken.None);
        var capture = await LoopbackCapture.RecordAsync(_directory, server, client);
        Assert.Equal(0, (await fixture.CliAsync("network", "import", capture)).ExitCode);
        Assert.Contains(await fixture.DevicesAsync(unknownOnly: true), h => h.Address == server.ToString());

        var (exit, output) = await fixture.CliAsync("network", "bind", "net-camera", "--address", server.ToString());
        Assert.True(exit == 0, output);
        Assert.Contains($"address {server} is bound to net-camera", output, StringComparison.Ordinal);
        Assert.DoesNotContain(await fixture.DevicesAsync(unknownOnly: true), h => h.Address == server.ToString());
        Assert.Equal("net-camera", Assert.Single(await fixture.DevicesAsync(), h => h.Address == server.ToString()).DeviceId);
        var bound = Assert.Single(await AuditAsync("network.bound"), e => e.Target == "device/net-camera");
        Assert.Contains(server.ToString(), bound.Details, StringComparison.Ordinal);

        // The next import of the camera's traffic judges it as the device: its telnet is an event about net-camera.
        Assert.Equal(0, (await fixture.CliAsync("network", "import", capture)).ExitCode);
        await fixture.Node.EventAsync(NetworkFinding.InsecureProtocol, e => e.DeviceId == "net-camera" && e.Details.GetValueOrDefault("protocol") == "telnet");

        using var operatorClient = await ClientAsync("operator");
        Assert.Contains("\"deviceId\":\"net-camera\"", await operatorClient.GetStringAsync("api/v1/network/bindings"), StringComparison.Ordinal);
        var (listExit, list) = await fixture.CliAsync("network", "bindings");
        Assert.True(listExit == 0, list);
        Assert.Matches($@"(?m)^address\s+{Regex.Escape(server.ToString())}\s+net-camera\s+local-admin", list);

        var (unbind, unbound) = await fixture.CliAsync("network", "unbind", "--address", server.ToString());
        Assert.True(unbind == 0, unbound);
        Assert.Contains(await fixture.DevicesAsync(unknownOnly: true), h => h.Address == server.ToString());
        Assert.Single(await AuditAsync("network.unbound"), e => e.Target == "device/net-camera");
        Assert.Equal(2, (await fixture.CliAsync("network", "unbind", "--address", server.ToString())).ExitCode);
    }

    [Fact]
    public async Task A_mac_bound_by_hand_matches_the_address_its_frames_come_from()
    {
        await fixture.Node.Get<InventoryService>().AddAsync(new NewDevice("net-plc"), "test", CancellationToken.None);
        var (exit, output) = await fixture.CliAsync("network", "bind", "net-plc", "--mac", "02-1A-2B-3C-4D-5E");
        Assert.True(exit == 0, output);
        Assert.Contains("mac 02:1a:2b:3c:4d:5e is bound to net-plc", output, StringComparison.Ordinal);

        var capture = Path.Combine(_directory, "plc.pcap");
        await File.WriteAllBytesAsync(capture, Pcap(Syn(PhysicalAddress.Parse("02-1A-2B-3C-4D-5E"), At("10.20.0.9"), At("10.20.0.10"), 23)));
        Assert.Equal(0, (await fixture.CliAsync("network", "import", capture)).ExitCode);

        var plc = Assert.Single(await fixture.DevicesAsync(), h => h.Address == "10.20.0.9");
        Assert.Equal(("net-plc", "02:1a:2b:3c:4d:5e"), (plc.DeviceId, plc.Mac));
        await fixture.Node.EventAsync(NetworkFinding.InsecureProtocol, e => e.DeviceId == "net-plc" && e.Details.GetValueOrDefault("protocol") == "telnet");
    }

    [Theory]
    [InlineData(new[] { "net-nobody", "--address", "10.9.9.9" }, "no device 'net-nobody' is registered")]
    [InlineData(new[] { "net-anybody", "--mac", "zz:zz" }, "'zz:zz' is not a MAC address")]
    [InlineData(new[] { "net-anybody", "--address", "10.0.0.0/8" }, "'10.0.0.0/8' is not an IPv4 or IPv6 address")]
    [InlineData(new[] { "net-anybody", "--address", "10.9.9.9", "--mac", "02:00:00:00:00:01" }, "give exactly one of address and mac")]
    public async Task A_binding_of_a_bad_value_or_to_no_device_is_refused_with_the_reason_and_nothing_is_bound(string[] arguments, string reason)
    {
        if (await fixture.Node.Get<IDeviceStore>().GetAsync("net-anybody", CancellationToken.None) is null)
        {
            await fixture.Node.Get<InventoryService>().AddAsync(new NewDevice("net-anybody"), "test", CancellationToken.None);
        }

        var (exit, output) = await fixture.CliAsync(["network", "bind", .. arguments]);
        Assert.True(exit is 1 or 2, output);
        Assert.Contains(reason, output, StringComparison.Ordinal);
        Assert.DoesNotContain(await fixture.Node.Get<INetworkStore>().ListBindingsAsync(100, CancellationToken.None), b => b.DeviceId is "net-nobody" or "net-anybody");
    }

    private async Task<List<AuditEntry>> AuditAsync(string action)
    {
        var entries = new List<AuditEntry>();
        await foreach (var entry in fixture.Node.Get<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None))
        {
            if (entry.Action == action)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    private async Task<int> AuditCountAsync(string action) => (await AuditAsync(action)).Count;

    /// <summary>The value of a Prometheus sample whose name starts with <paramref name="name"/> (a counter's <c>_total</c> included) and whose labels hold <paramref name="label"/>; 0 when absent.</summary>
    private static double Sample(string text, string name, string label) =>
        text.Split('\n').Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + "_total{", StringComparison.Ordinal))
            .Where(line => line.Contains(label, StringComparison.Ordinal))
            .Select(line => double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture))
            .DefaultIfEmpty(0).Sum();

    private static byte[] Syn(PhysicalAddress source, IPAddress from, IPAddress to, ushort port)
    {
        var tcp = new TcpPacket(40_000, port) { Synchronize = true, WindowSize = 1024 };
        var ip = new IPv4Packet(from, to) { PayloadPacket = tcp, TimeToLive = 64 };
        var ethernet = new EthernetPacket(source, PhysicalAddress.Parse("02-00-00-00-00-02"), EthernetType.IPv4) { PayloadPacket = ip };
        ethernet.UpdateCalculatedValues();
        return ethernet.Bytes;
    }

    // A classic pcap file (little-endian, version 2.4, Ethernet) holding the frames, one second apart.
    private static byte[] Pcap(params byte[][] frames)
    {
        using var file = new MemoryStream();
        using var writer = new BinaryWriter(file);
        writer.Write(0xA1B2C3D4u);
        writer.Write((ushort)2);
        writer.Write((ushort)4);
        writer.Write(0);
        writer.Write(0u);
        writer.Write(65_535u);
        writer.Write(1u);
        for (var i = 0; i < frames.Length; i++)
        {
            writer.Write((uint)(1_764_000_000 + i));
            writer.Write(0u);
            writer.Write((uint)frames[i].Length);
            writer.Write((uint)frames[i].Length);
            writer.Write(frames[i]);
        }

        writer.Flush();
        return file.ToArray();
    }
}
