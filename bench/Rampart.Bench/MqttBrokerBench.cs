using System.Diagnostics;
using System.Globalization;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Bench;

/// <summary>
/// <c>mqtt-broker [--publishers 4] [--messages 200000] [--payload 64]</c>: the broker core alone over
/// in-memory pipes (no TLS, no sockets, an allow-all policy): QoS 0 fan-in to one subscriber. Separates
/// the broker's own cost from the transport's in the gateway figures.
/// </summary>
internal static class MqttBrokerBench
{
    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var publishers = arguments.Int("publishers", 4);
        var messages = arguments.Int("messages", 200_000);
        var payload = new byte[arguments.Int("payload", 64)];
        using var broker = new MqttBroker(new BrokerOptions { MaximumOutboundQueue = 100_000 }, TimeProvider.System);
        using var stop = new CancellationTokenSource();

        var expected = (long)publishers * messages;
        var subscriber = await BrokerFanIn.SubscribeAsync(broker, AllowAllPolicy.Instance, expected, stop.Token);

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, publishers).Select(index => Task.Run(async () =>
        {
            var (_, output) = BrokerFanIn.Open(broker, AllowAllPolicy.Instance, stop.Token);
            using var publisherEncoder = new MqttEncoder();
            publisherEncoder.Encode(new ConnectPacket { ClientId = $"pub-{index}" }, MqttProtocolVersion.V500, output);
            var topic = $"devices/pub-{index}/telemetry/load";
            for (var i = 1; i <= messages; i++)
            {
                publisherEncoder.EncodePublish(topic, payload, MqttQualityOfService.AtMostOnce, false, false, 0, MqttProperties.Empty, MqttProtocolVersion.V500, output);
                if (i % 64 == 0)
                {
                    await output.FlushAsync();
                }
            }

            await output.FlushAsync();
        })));
        await subscriber.DrainAsync();
        var received = subscriber.Received;
        var seconds = Stopwatch.GetElapsedTime(subscriber.First).TotalSeconds - (subscriber.Reading.IsCompleted ? 0 : 1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mqtt-broker publishers={publishers} messages={expected} payload={payload.Length}B: received {received}, {received / seconds:F0} msgs/s through the broker core ({clock.Elapsed.TotalSeconds:F2} s, GC gen0 {GC.CollectionCount(0)})"));
        await stop.CancelAsync();
    }
}
