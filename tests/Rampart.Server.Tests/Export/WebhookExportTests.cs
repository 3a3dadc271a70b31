using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Detection.Export;
using Rampart.Fleet.Monitoring;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Testing;

namespace Rampart.Server.Tests.Export;

/// <summary>Webhooks to a real HTTPS receiver (a Python process on loopback), and the outbox in front of them.</summary>
public sealed class WebhookExportTests : IDisposable
{
    internal const string Secret = "export-test-key-0123456789abcdef0123456789";
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A webhook "siem" to localhost:PORT with fast retries, for this class and the crash test.</summary>
    internal static Dictionary<string, string?> Settings(ExportPki pki, int port, int maxRows = 100_000) => new()
    {
        ["Rampart:Export:Webhooks:siem:Url"] = $"https://localhost:{port}/rampart",
        ["Rampart:Export:Webhooks:siem:Secret"] = Secret,
        ["Rampart:Export:Webhooks:siem:CaFile"] = pki.CaFile,
        ["Rampart:Export:Webhooks:siem:Timeout"] = "00:00:05",
        ["Rampart:Export:Outbox:PollInterval"] = "00:00:00.200",
        ["Rampart:Export:Outbox:InitialBackoff"] = "00:00:00.100",
        ["Rampart:Export:Outbox:MaxBackoff"] = "00:00:00.500",
        ["Rampart:Export:Outbox:MaxRowsPerDestination"] = maxRows.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private sealed record Delivery(string Id, string Kind, string? DeviceId, string Timestamp, string Signature, byte[] Body, bool VerifiedByReceiver);

    private static List<Delivery> Deliveries(Receiver receiver) => receiver.Received().Select(line =>
    {
        var headers = line.GetProperty("headers");
        var body = Convert.FromBase64String(line.GetProperty("body").GetString()!);
        var record = JsonSerializer.Deserialize<ExportRecord>(body)!;
        return new Delivery(record.Id, record.Kind, record.DeviceId, headers.GetProperty("x-rampart-timestamp").GetString()!,
            headers.GetProperty("x-rampart-signature").GetString()!, body, line.GetProperty("verified").GetBoolean());
    }).ToList();

    private static Task RecordAsync(TestNode node, string kind, string device) =>
        node.Node.Services.GetRequiredService<SecurityEvents>().RecordAsync(kind, SecuritySeverity.High, device, "192.0.2.10",
            new Dictionary<string, string> { ["detector"] = "test" });

    [Fact]
    public async Task Events_reach_an_https_receiver_signed_and_the_recipe_rejects_a_replay_or_an_altered_body()
    {
        var pki = ExportPki.Create(_temp.Sub("pki"));
        using var receiver = await Receiver.WebhookAsync(pki, _temp.Sub("hooks.jsonl"), Secret);
        await using var node = await TestNode.StartAsync(_temp.Sub("data"), Settings(pki, receiver.Port));

        await RecordAsync(node, "alert.opened", "sensor-1");
        await Eventually.HoldsAsync(() => Task.FromResult(Deliveries(receiver).Any(d => d.Kind == "alert.opened")), "the alert was delivered");

        var delivery = Deliveries(receiver).First(d => d.Kind == "alert.opened");
        var now = DateTimeOffset.UtcNow;
        var tolerance = TimeSpan.FromMinutes(5);
        Assert.Equal("sensor-1", delivery.DeviceId);
        Assert.True(delivery.VerifiedByReceiver, "the receiver's own (Python) check of the documented recipe passed");
        Assert.True(WebhookSignature.Verify(Secret, delivery.Timestamp, delivery.Signature, delivery.Body, now, tolerance));

        // A replay after the tolerance, a body altered in transit, a timestamp moved: all refused by the same recipe.
        var altered = delivery.Body.ToArray();
        altered[Array.IndexOf(altered, (byte)'1')] = (byte)'2';
        Assert.False(WebhookSignature.Verify(Secret, delivery.Timestamp, delivery.Signature, delivery.Body, now.AddMinutes(6), tolerance));
        Assert.False(WebhookSignature.Verify(Secret, delivery.Timestamp, delivery.Signature, altered, now, tolerance));
        Assert.False(WebhookSignature.Verify(Secret, (long.Parse(delivery.Timestamp, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            delivery.Signature, delivery.Body, now, tolerance));
    }

    [Fact]
    public async Task A_receiver_that_refuses_the_signature_keeps_every_record_queued_and_the_status_names_the_answer()
    {
        var pki = ExportPki.Create(_temp.Sub("pki"));
        using var receiver = await Receiver.WebhookAsync(pki, _temp.Sub("hooks.jsonl"), "another-key-0123456789abcdef0123456789abcdef");
        await using var node = await TestNode.StartAsync(_temp.Sub("data"), Settings(pki, receiver.Port));
        var export = node.Node.Services.GetRequiredService<ExportService>();

        await RecordAsync(node, "alert.opened", "sensor-1");
        await Eventually.HoldsAsync(async () => (await export.StatusAsync(CancellationToken.None)).Single().FailedAttempts >= 2, "delivery was refused twice");

        var status = (await export.StatusAsync(CancellationToken.None)).Single();
        Assert.All(Deliveries(receiver), d => Assert.False(d.VerifiedByReceiver));
        Assert.Contains(Deliveries(receiver), d => d.DeviceId == "sensor-1");
        Assert.EndsWith("/rampart: answered 401 Unauthorized", status.LastError, StringComparison.Ordinal);
        Assert.True(status.Queued >= 1);
        Assert.Equal((0L, 0L), (status.Delivered, status.Dropped));
    }

    [Fact]
    public async Task A_node_refuses_to_start_with_a_plain_http_webhook_and_names_the_setting_not_the_key()
    {
        var settings = Settings(ExportPki.Create(_temp.Sub("pki")), 9);
        settings["Rampart:Export:Webhooks:siem:Url"] = "http://127.0.0.1:9/rampart";

        var refused = await Assert.ThrowsAsync<Hosting.NodeStartupException>(() => TestNode.StartAsync(_temp.Sub("data"), settings));

        Assert.Contains("Rampart:Export:Webhooks:siem:Url must be an absolute https:// address", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_temp.Sub("data"), "rampart.db")), "nothing was created before the settings were checked");
    }

    [Fact]
    public async Task The_outbox_survives_a_node_restart_with_the_receiver_down_and_then_delivers_everything_duplicates_only_by_id()
    {
        var pki = ExportPki.Create(_temp.Sub("pki"));
        var port = Receiver.FreePort();
        var data = _temp.Sub("data");
        var expected = new List<string>();

        // 1. The receiver is down: events queue and delivery keeps failing.
        await using (var node = await TestNode.StartAsync(data, Settings(pki, port)))
        {
            for (var i = 0; i < 5; i++)
            {
                await RecordAsync(node, "alert.opened", $"before-{i}");
                expected.Add($"before-{i}");
            }

            var export = node.Node.Services.GetRequiredService<ExportService>();
            await Eventually.HoldsAsync(async () => (await export.StatusAsync(CancellationToken.None)).Single() is { Queued: >= 5, FailedAttempts: >= 1 },
                "five records queued and delivery failing");
        }

        // 2. The node restarts, still without a receiver, and records more.
        await using (var node = await TestNode.StartAsync(data, Settings(pki, port)))
        {
            for (var i = 0; i < 5; i++)
            {
                await RecordAsync(node, "alert.opened", $"after-{i}");
                expected.Add($"after-{i}");
            }

            // 3. The receiver comes up on the configured port: everything arrives.
            using var receiver = await Receiver.WebhookAsync(pki, _temp.Sub("hooks.jsonl"), Secret, port);
            await Eventually.HoldsAsync(() => Task.FromResult(expected.All(device => Deliveries(receiver).Any(d => d.DeviceId == device))),
                "every event from before and after the restart was delivered");

            var deliveries = Deliveries(receiver);
            var export = node.Node.Services.GetRequiredService<ExportService>();
            await Eventually.HoldsAsync(async () => (await export.StatusAsync(CancellationToken.None)).Single().Queued == 0, "the outbox emptied");
            var status = (await export.StatusAsync(CancellationToken.None)).Single();

            Assert.All(deliveries, d => Assert.True(d.VerifiedByReceiver));

            // Duplicates (at-least-once) are allowed only as the same record under the same id; ids are in order.
            foreach (var group in deliveries.GroupBy(d => d.Id))
            {
                Assert.Single(group.Select(d => d.DeviceId + "|" + d.Kind).Distinct());
            }

            var order = deliveries.Where(d => d.Kind == "alert.opened").Select(d => d.DeviceId!).Distinct().ToList();
            Assert.Equal(expected, order);
            Assert.Equal(0, status.Dropped);
            Assert.Equal(0, status.FailedAttempts);
            Assert.Null(status.NextAttempt);
        }
    }

    [Fact]
    public async Task A_full_outbox_drops_the_oldest_records_counts_them_and_reports_it_as_an_event()
    {
        var pki = ExportPki.Create(_temp.Sub("pki"));
        var port = Receiver.FreePort();
        await using var node = await TestNode.StartAsync(_temp.Sub("data"), Settings(pki, port, maxRows: 5));
        var export = node.Node.Services.GetRequiredService<ExportService>();

        for (var i = 0; i < 12; i++)
        {
            await RecordAsync(node, "alert.opened", $"device-{i}");
        }

        await Eventually.HoldsAsync(async () => (await export.StatusAsync(CancellationToken.None)).Single().Dropped >= 7, "seven or more records were dropped");
        var events = node.Node.Services.GetRequiredService<ISecurityEventStore>();
        await Eventually.HoldsAsync(async () => (await events.ListAsync(null, 100, CancellationToken.None)).Any(e => e.Event.Kind == ExportService.DroppedKind),
            "an export.dropped event was recorded");

        var status = (await export.StatusAsync(CancellationToken.None)).Single();
        var dropped = (await events.ListAsync(null, 100, CancellationToken.None)).First(e => e.Event.Kind == ExportService.DroppedKind).Event;
        Assert.True(status.Queued <= 5, $"{status.Queued} queued");
        Assert.Equal("webhook:siem", dropped.Details["destination"]);
        Assert.True(long.Parse(dropped.Details["dropped"], System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(SecuritySeverity.Warning, dropped.Severity);

        // The operator's view: rampart export status over the admin socket.
        var (exitCode, output) = await RampartCli.RunAsync("export", "status", "--data", node.Node.DataDirectory);
        var json = await RampartCli.RunAsync("export", "status", "--json", "--data", node.Node.DataDirectory);
        var parsed = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().Single();
        Assert.Equal(0, exitCode);
        Assert.Matches(@"webhook:siem\s+\d+\s+0\s+\d+\s+failing \(\d+ attempts, next .*\): https://localhost:\d+/rampart: ", output);
        Assert.Equal("webhook:siem", parsed.GetProperty("destination").GetString());
        Assert.True(parsed.GetProperty("dropped").GetInt64() >= 7);
        Assert.DoesNotContain(Secret, output + json.Output, StringComparison.Ordinal);
    }
}
