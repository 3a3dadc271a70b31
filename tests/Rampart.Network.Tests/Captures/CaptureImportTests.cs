using Rampart.Network.Analysis;
using Rampart.Network.Captures;
using Rampart.Network.Flows;
using Rampart.Network.Inventory;
using Rampart.Posture.Zones;
using Rampart.Testing.Network;

namespace Rampart.Network.Tests.Captures;

public sealed class CaptureImportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rampart-net-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static NetworkOptions LoopbackOptions() => new() { DeviceNetworks = ["127.0.0.0/8"] };

    internal static async Task<IReadOnlyList<FlowRecord>> FlowsAsync(Stream capture)
    {
        var reader = new CaptureReader(capture, new CaptureLimits());
        var table = new FlowTable(10_000);
        while (await reader.NextAsync(CancellationToken.None) is { } frame)
        {
            if (FrameDissector.TryDissect(frame, out var facts))
            {
                table.Add(facts, frame.Time);
            }
        }

        return table.Flows();
    }

    [Fact]
    public async Task A_loopback_capture_of_telnet_plain_mqtt_and_http_basic_auth_is_flagged_and_https_is_not()
    {
        var path = await LoopbackCapture.RecordAsync(_directory);
        await using var file = File.OpenRead(path);
        var flows = await FlowsAsync(file);

        var fleet = new FleetView(new Dictionary<string, string> { [LoopbackCapture.Client.ToString()] = "thermostat-7" }, new Dictionary<string, string?>(), ZonePolicy.Default);
        var judgement = new NetworkJudge(LoopbackOptions(), ZonePolicy.Default, OuiRegistry.Empty).Judge(flows, fleet);

        var server = Assert.Single(judgement.Hosts, h => h.Address == LoopbackCapture.Server.ToString());
        Assert.Null(server.DeviceId);
        Assert.Equal(["tcp/1883", "tcp/23", "tcp/443", "tcp/80"], server.Ports);
        Assert.Equal(["http", "mqtt", "telnet"], server.Insecure);
        Assert.Equal("thermostat-7", Assert.Single(judgement.Hosts, h => h.Address == LoopbackCapture.Client.ToString()).DeviceId);

        var insecure = judgement.Findings.Where(f => f.Kind == NetworkFinding.InsecureProtocol).ToArray();
        Assert.Equal(["http", "mqtt", "telnet"], insecure.Select(f => f.Details["protocol"]).Order());
        Assert.All(insecure, f => Assert.Equal("thermostat-7", f.DeviceId));
    }

    [Fact]
    public async Task A_device_in_a_restricted_zone_that_reaches_outside_its_networks_is_a_zone_violation()
    {
        var path = await LoopbackCapture.RecordAsync(_directory);
        await using var file = File.OpenRead(path);
        var flows = await FlowsAsync(file);
        var zones = new ZoneOptions { Zones = { ["cameras"] = new ZoneDefinition { Restricted = true, Networks = ["127.0.0.50/32"] } } }.ToPolicy();
        var options = LoopbackOptions();
        options.ZoneDestinations["cameras"] = ["127.0.0.23/32"];
        var fleet = new FleetView(new Dictionary<string, string> { [LoopbackCapture.Client.ToString()] = "cam-1" }, new Dictionary<string, string?> { ["cam-1"] = "cameras" }, zones);

        Assert.DoesNotContain(new NetworkJudge(options, zones, OuiRegistry.Empty).Judge(flows, fleet).Findings, f => f.Kind == NetworkFinding.ZoneViolation);

        options.ZoneDestinations["cameras"] = ["127.0.0.99/32"];
        var violations = new NetworkJudge(options, zones, OuiRegistry.Empty).Judge(flows, fleet).Findings.Where(f => f.Kind == NetworkFinding.ZoneViolation).ToArray();
        Assert.Equal(["127.0.0.23:1883", "127.0.0.23:23", "127.0.0.23:443", "127.0.0.23:80"], violations.Select(v => v.Details["destination"]).Order(StringComparer.Ordinal));
        Assert.All(violations, v => Assert.Equal("cam-1", v.DeviceId));
    }

    [Fact]
    public async Task A_truncated_capture_is_refused_with_the_byte_where_it_ends()
    {
        var path = await LoopbackCapture.RecordAsync(_directory);
        var bytes = await File.ReadAllBytesAsync(path);
        var exception = await Assert.ThrowsAsync<NetworkInputException>(() => FlowsAsync(new MemoryStream(bytes[..^7])));
        Assert.Contains("cut off by the end of the file", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0 }, "not a pcap or pcapng file")]
    [InlineData(new byte[] { 0xD4, 0xC3, 0xB2, 0xA1, 3, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 1, 0, 0, 0 }, "pcap version 3 is not 2")]
    [InlineData(new byte[] { 0x0A, 0x0D, 0x0D, 0x0A, 0x0D, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A }, "has length 13")]
    public async Task A_file_that_is_not_a_well_formed_capture_is_refused_with_a_reason(byte[] file, string reason)
    {
        var exception = await Assert.ThrowsAsync<NetworkInputException>(() => FlowsAsync(new MemoryStream(file)));
        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pcap_record_larger_than_the_frame_limit_is_refused_before_it_is_read()
    {
        var header = new byte[] { 0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0 };
        var record = new byte[16];
        BitConverter.TryWriteBytes(record.AsSpan(8), 1_000_000);
        var exception = await Assert.ThrowsAsync<NetworkInputException>(() => FlowsAsync(new MemoryStream([.. header, .. record])));
        Assert.Contains("exceeds the snapshot length", exception.Message, StringComparison.Ordinal);
    }
}
