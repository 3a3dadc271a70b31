using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Rampart.Adapters.Coap;
using Rampart.Adapters.Credentials;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Adapters;
using Rampart.Server.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Adapters;

/// <summary>
/// Block-wise transfer (RFC 7959) and confirmable notifications (RFC 7252 §4.2, RFC 7641 §4.5) against
/// <c>coap-client-openssl</c> (<c>-b</c> sets its block size) and, for an observer that never
/// acknowledges, the test's own DTLS client.
/// </summary>
public sealed class CoapBlockwiseTests(ShortTimerNode fixture) : IClassFixture<ShortTimerNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private CoapListener Listener => fixture.Node.Get<CoapHost>().Listener!;

    private string Coaps(string path) => $"coaps://127.0.0.1:{Listener.BoundEndPoint!.Port.ToString(CultureInfo.InvariantCulture)}{path}";

    private async Task<string> PskDeviceAsync(string id)
    {
        await fixture.Node.Get<InventoryService>().AddAsync(new NewDevice(id), "test", CancellationToken.None);
        return (await fixture.Node.Get<DeviceCredentials>().IssuePskAsync(id, "test", CancellationToken.None)).Secret;
    }

    private static async Task<string> FileOfAsync(TempDirectory temp, string name, byte[] content)
    {
        var path = temp.Sub(name);
        await File.WriteAllBytesAsync(path, content);
        return path;
    }

    [Fact]
    public async Task A_telemetry_upload_in_64_byte_blocks_is_published_whole_once_and_one_over_the_limit_gets_4_13()
    {
        using var temp = new TempDirectory();
        var psk = await PskDeviceAsync("coap-block-1");
        var body = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 300).Select(i => i.ToString("D4", CultureInfo.InvariantCulture))));
        var (exit, output) = await RunningProcess.RunAsync("coap-client-openssl",
            ["-B", "30", "-m", "post", "-b", "64", "-u", "coap-block-1", "-k", psk, "-f", await FileOfAsync(temp, "body", body), Coaps("/t/firmware-log")], Patience);

        Assert.True(exit == 0, output);
        var message = await fixture.RoutedAsync("devices/coap-block-1/telemetry/firmware-log");
        Assert.Equal(body, message.Payload.ToArray());
        Assert.Single(fixture.Routed, m => m.Topic == "devices/coap-block-1/telemetry/firmware-log");

        var (_, tooLarge) = await RunningProcess.RunAsync("coap-client-openssl",
            ["-B", "30", "-m", "post", "-b", "1024", "-u", "coap-block-1", "-k", psk, "-f", await FileOfAsync(temp, "big", new byte[70 * 1024]), Coaps("/t/too-big")], Patience);
        Assert.Contains("4.13", tooLarge, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Routed, m => m.Topic == "devices/coap-block-1/telemetry/too-big");
    }

    [Fact]
    public async Task A_large_command_reaches_an_observing_coap_client_in_blocks_through_an_acknowledged_notification()
    {
        var psk = await PskDeviceAsync("coap-block-2");
        using var observer = RunningProcess.Start("coap-client-openssl", ["-m", "get", "-s", "40", "-B", "40", "-b", "64", "-u", "coap-block-2", "-k", psk, Coaps("/c")]);
        await fixture.LinkOpenAsync("coap-block-2");
        var command = Encoding.ASCII.GetBytes(new string('k', 1500) + "END");
        var encoded = Convert.ToBase64String(command);
        var broker = fixture.Node.Get<MqttGateway>().Broker;

        // coap-client prints when it exits (-s 40), so whether it is still registered is sampled while it runs:
        // once it has gone, the node rightly drops it after its unacknowledged retransmissions.
        var registered = false;
        await Eventually.HoldsAsync(() =>
        {
            if (!observer.HasExited)
            {
                registered = Listener.Observing("coap-block-2");
            }

            broker.Publish("devices/coap-block-2/commands/config", command, MqttQualityOfService.AtLeastOnce, retain: false);
            return Task.FromResult(observer.Output.Contains(encoded, StringComparison.Ordinal));
        }, "the 1.5 KB command reaches the observing coap-client whole", Patience);
        Assert.True(registered, "the observer acknowledged its notifications and was still registered while it ran");
    }

    [Fact]
    public async Task An_observer_that_never_acknowledges_is_retransmitted_to_then_removed_and_the_command_waits_for_its_next_get()
    {
        var psk = await PskDeviceAsync("coap-deaf");
        using var client = await DtlsTestClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Listener.BoundEndPoint!.Port), "coap-deaf", psk);
        var token = new byte[] { 0xDE, 0xAF };
        client.Send(new CoapMessage(CoapType.Confirmable, CoapCodes.Get, 1, token,
            [CoapCodec.UInt(CoapOptions.Observe, 0), new CoapOption(CoapOptions.UriPath, "c"u8.ToArray())], ReadOnlyMemory<byte>.Empty));
        Assert.Equal(CoapCodes.Content, client.ReceiveUntil(token, Patience).Answer.Code);
        Assert.True(Listener.Observing("coap-deaf"));

        fixture.Node.Get<MqttGateway>().Broker.Publish("devices/coap-deaf/commands/reboot", "now"u8.ToArray(), MqttQualityOfService.AtLeastOnce, retain: false);
        var first = client.ReceiveUntil(token, Patience).Answer;
        Assert.Equal(CoapType.Confirmable, first.Type);
        for (var retransmission = 1; retransmission <= 3; retransmission++)
        {
            var again = client.ReceiveUntil(token, Patience).Answer;
            Assert.Equal((CoapType.Confirmable, first.MessageId), (again.Type, again.MessageId));
        }

        await Eventually.HoldsAsync(() => Task.FromResult(!Listener.Observing("coap-deaf")), "the observer was removed after its last retransmission");
        Assert.True(Listener.ObserversDropped >= 1);
        var poll = new byte[] { 0x90 };
        client.Send(new CoapMessage(CoapType.Confirmable, CoapCodes.Get, 2, poll, [new CoapOption(CoapOptions.UriPath, "c"u8.ToArray())], ReadOnlyMemory<byte>.Empty));
        var answer = client.ReceiveUntil(poll, Patience).Answer;
        Assert.Equal("reboot", JsonDocument.Parse(answer.Payload).RootElement.GetProperty("name").GetString());
    }
}
