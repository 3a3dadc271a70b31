using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Detection.Export;
using Rampart.Fleet.Monitoring;
using Rampart.Server.Tests.Export;
using Rampart.Storage;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Storage;

/// <summary>
/// Two nodes on one PostgreSQL database with the same webhook destination (issue 15): the node
/// holding the destination's lease alone delivers, so every event reaches the receiver once; when
/// that node stops, the other takes the lease over and delivers what follows, from the shared outbox.
/// </summary>
public sealed class ExportLeaseTests : IDisposable
{
    private const string Destination = "webhook:siem";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Two_nodes_on_one_outbox_deliver_each_event_once_and_the_survivor_takes_over_when_the_holder_stops()
    {
        var database = await PostgresServer.NewDatabaseAsync();
        var pki = ExportPki.Create(_temp.Sub("pki"));
        using var receiver = await Receiver.WebhookAsync(pki, _temp.Sub("hooks.jsonl"), WebhookExportTests.Secret);
        Dictionary<string, string?> Settings(string node)
        {
            var settings = WebhookExportTests.Settings(pki, receiver.Port);
            settings["Rampart:Storage:Provider"] = "postgres";
            settings["Rampart:Storage:ConnectionString"] = database;
            settings["Rampart:Cluster:NodeId"] = node;
            settings["Rampart:Export:Outbox:LeaseDuration"] = "00:00:05";
            return settings;
        }

        var first = await TestNode.StartAsync(_temp.Sub("node-a"), Settings("node-a"));
        TestNode? second = null;
        try
        {
            // The second node holds the first one's keys (a cluster shares one CA and audit key).
            var (exitCode, output) = await RunningProcess.RunAsync("cp", ["-a", first.Node.DataDirectory, _temp.Sub("node-b")], Patience);
            Assert.True(exitCode == 0, output);
            foreach (var local in Directory.EnumerateFiles(_temp.Sub("node-b")).Where(p => Path.GetFileName(p) is "rampart.lock" or "admin.sock"))
            {
                File.Delete(local);
            }

            second = await TestNode.StartAsync(_temp.Sub("node-b"), Settings("node-b"));
            TestNode[] nodes = [first, second];

            // 1. Events recorded on both nodes: both pumps enqueue them, one node delivers.
            var before = Enumerable.Range(0, 12).Select(i => $"before-{i}").ToArray();
            for (var i = 0; i < before.Length; i++)
            {
                await RecordAsync(nodes[i % 2], before[i]);
            }

            await Eventually.HoldsAsync(() => Task.FromResult(before.All(Delivered(receiver).Contains)), "every event was delivered", Patience);
            AssertOnce(receiver, before);
            var holder = await LeaseAsync(first);
            Assert.NotNull(holder);
            var (holding, surviving) = holder.Holder.StartsWith("node-a-", StringComparison.Ordinal) ? (first, second) : (second, first);

            // 2. The holder stops (releasing its lease); events recorded afterwards reach the receiver through the survivor.
            await holding.DisposeAsync();
            var after = Enumerable.Range(0, 6).Select(i => $"after-{i}").ToArray();
            foreach (var device in after)
            {
                await RecordAsync(surviving, device);
            }

            await Eventually.HoldsAsync(() => Task.FromResult(after.All(Delivered(receiver).Contains)), "the survivor delivered what followed", Patience);
            var taken = await LeaseAsync(surviving);
            Assert.NotNull(taken);
            Assert.StartsWith(surviving == first ? "node-a-" : "node-b-", taken.Holder, StringComparison.Ordinal);

            AssertOnce(receiver, [.. before, .. after]);
            var export = surviving.Node.Services.GetRequiredService<ExportService>();
            await Eventually.HoldsAsync(async () => (await export.StatusAsync(CancellationToken.None)).Single().Queued == 0, "the survivor emptied the outbox", Patience);
        }
        finally
        {
            if (second is not null)
            {
                await second.DisposeAsync();
            }

            await first.DisposeAsync();
        }
    }

    // Each event exactly once: nothing lost, nothing sent by both nodes.
    private static void AssertOnce(Receiver receiver, IEnumerable<string> devices)
    {
        var counts = Delivered(receiver).GroupBy(device => device).ToDictionary(group => group.Key, group => group.Count());
        Assert.All(devices, device => Assert.Equal(1, counts.GetValueOrDefault(device)));
    }

    private static Task RecordAsync(TestNode node, string device) =>
        node.Node.Services.GetRequiredService<SecurityEvents>().RecordAsync("alert.opened", SecuritySeverity.High, device, "192.0.2.10",
            new Dictionary<string, string> { ["detector"] = "test" });

    private static Task<ExportLease?> LeaseAsync(TestNode node) =>
        node.Node.Services.GetRequiredService<NodeStores>().ExportLeases.GetAsync(Destination, CancellationToken.None);

    // The device of every event the receiver got (checkpoints carry none).
    private static List<string> Delivered(Receiver receiver) => receiver.Received()
        .Select(line => JsonSerializer.Deserialize<ExportRecord>(Convert.FromBase64String(line.GetProperty("body").GetString()!))!)
        .Where(record => record.DeviceId is not null)
        .Select(record => record.DeviceId!)
        .ToList();
}
