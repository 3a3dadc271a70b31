using System.Diagnostics;
using System.Net;
using Rampart.Network.Analysis;
using Rampart.Network.Collector;
using Rampart.Network.Flows;
using Rampart.Network.Inventory;
using Rampart.Network.Tests.Captures;
using Rampart.Posture.Zones;
using Rampart.Testing.Network;
using Rampart.Testing;

namespace Rampart.Network.Tests.Ipfix;

/// <summary>softflowd (Debian's softflowd; tests/packages/network.list) reads a loopback capture and exports its flows to the collector.</summary>
public sealed class SoftflowdExportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rampart-ipfix-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("10")]
    [InlineData("9")]
    public async Task Softflowd_exporting_a_capture_to_the_collector_inventories_its_hosts_and_flags_telnet(string version)
    {
        var capture = await LoopbackCapture.RecordAsync(_directory);
        await using var collector = new IpfixCollector(new IPEndPoint(IPAddress.Loopback, 0), new NetworkOptions(), TimeProvider.System);

        using (var softflowd = Process.Start(new ProcessStartInfo("softflowd", ["-r", capture, "-n", collector.BoundEndPoint.ToString(), "-v", version, "-d"]) { RedirectStandardError = true, RedirectStandardOutput = true })!)
        {
            await softflowd.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, softflowd.ExitCode);
        }

        var flows = new List<FlowRecord>();
        await Eventually.HoldsAsync(async () =>
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            try
            {
                flows.AddRange(await collector.ReadBatchAsync(10_000, wait.Token));
            }
            catch (OperationCanceledException)
            {
                // nothing queued yet
            }

            return flows.Count >= 8;
        }, "softflowd's flows reached the collector");

        Assert.Equal(0, collector.Counters.Malformed);
        Assert.All(flows, f => Assert.True(f.Packets > 0 && f.Bytes > 0));
        var judgement = new NetworkJudge(CaptureImportTests.LoopbackOptions(), ZonePolicy.Default, OuiRegistry.Empty)
            .Judge(flows, new FleetView(new Dictionary<string, string>(), new Dictionary<string, string?>(), ZonePolicy.Default));
        var server = Assert.Single(judgement.Hosts, h => h.Address == LoopbackCapture.Server.ToString());
        Assert.Equal(["tcp/1883", "tcp/23", "tcp/443", "tcp/80"], server.Ports);
        Assert.Equal(["mqtt", "telnet"], server.Insecure); // no payload in a flow record: Basic auth is not seen
        Assert.Contains(judgement.Hosts, h => h.Address == LoopbackCapture.Client.ToString());
    }

    [Fact]
    public async Task Datagrams_from_an_address_that_is_not_an_exporter_are_refused_and_counted()
    {
        await using var collector = new IpfixCollector(new IPEndPoint(IPAddress.Loopback, 0), new NetworkOptions { Exporters = ["127.0.0.9"] }, TimeProvider.System);
        collector.Accept(IpfixMessages.TemplateAndRecord(), new IPEndPoint(IPAddress.Loopback, 4000), []);
        collector.Accept(IpfixMessages.TemplateAndRecord(), new IPEndPoint(IPAddress.Parse("127.0.0.9"), 4000), []);
        Assert.Equal((2L, 1L, 1L), (collector.Counters.Datagrams, collector.Counters.Refused, collector.Counters.Flows));
    }

    [Fact]
    public async Task A_full_queue_drops_flows_and_counts_them()
    {
        await using var collector = new IpfixCollector(new IPEndPoint(IPAddress.Loopback, 0), new NetworkOptions { CollectorQueue = 2 }, TimeProvider.System);
        for (var i = 0; i < 5; i++)
        {
            collector.Accept(IpfixMessages.TemplateAndRecord(), new IPEndPoint(IPAddress.Loopback, 4000), []);
        }

        Assert.Equal((2L, 3L), (collector.Counters.Flows, collector.Counters.Dropped));
    }

    [Fact]
    public async Task A_collector_stopped_by_its_host_and_disposed_again_at_the_end_does_not_throw()
    {
        var collector = new IpfixCollector(new IPEndPoint(IPAddress.Loopback, 0), new NetworkOptions(), TimeProvider.System);
        await collector.DisposeAsync();
        await collector.DisposeAsync();
        Assert.Equal(0L, collector.Counters.Datagrams);
    }
}
