using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Rampart.Detection.Export;

namespace Rampart.Detection.Tests.Export;

public sealed class WebhookSenderTests
{
    private static readonly WebhookDestinationOptions Options = new()
    {
        Url = "https://127.0.0.1:9/hook",
        Secret = "webhook-sender-test-key-0123456789abcdef",
        Timeout = TimeSpan.FromSeconds(1),
        MaxBodyBytes = 1024,
    };

    private static ExportRecord Record(string evidence) => new()
    {
        Id = "event-9", Type = ExportRecord.SecurityEventType, Time = DateTimeOffset.UnixEpoch, Kind = "alert.opened", Severity = "high",
        DeviceId = "sensor-9", Details = new Dictionary<string, string> { ["evidence"] = evidence },
    };

    [Fact]
    public async Task A_body_over_the_size_limit_goes_without_its_details_and_says_so()
    {
        await using var sender = new WebhookSender("hook", Options, TimeProvider.System);

        var small = JsonSerializer.Deserialize<ExportRecord>(sender.Body(Record("port 23")))!;
        var large = sender.Body(Record(new string('x', 4096)));
        var parsed = JsonSerializer.Deserialize<ExportRecord>(large)!;

        Assert.Equal("port 23", small.Details["evidence"]);
        Assert.False(small.Truncated);
        Assert.True(large.Length <= 1024, $"{large.Length} bytes");
        Assert.True(parsed.Truncated);
        Assert.Empty(parsed.Details);
        Assert.Equal(("event-9", "sensor-9"), (parsed.Id, parsed.DeviceId));
    }

    [Fact]
    public async Task A_receiver_that_accepts_the_connection_and_never_answers_times_out_and_nothing_is_delivered()
    {
        // A real socket that takes the connection and says nothing (not even a TLS handshake).
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var sender = new WebhookSender("hook", new WebhookDestinationOptions
        {
            Url = $"https://127.0.0.1:{port}/hook", Secret = Options.Secret, Timeout = TimeSpan.FromSeconds(1),
        }, TimeProvider.System);
        var item = new OutboxItem(1, "webhook:hook", "event-9", DateTimeOffset.UnixEpoch, JsonSerializer.Serialize(Record("x")));

        var result = await sender.SendAsync([item], CancellationToken.None);

        Assert.Equal(0, result.Delivered);
        Assert.Equal($"https://127.0.0.1:{port}/hook: no answer within 1 s", result.Error);
    }
}
