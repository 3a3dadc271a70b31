using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
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

        var (subscriberIn, subscriberOut) = Open(broker, stop.Token);
        var expected = (long)publishers * messages;
        var decoder = new MqttDecoder(uint.MaxValue) { Version = MqttProtocolVersion.V500 };
        using var encoder = new MqttEncoder();
        encoder.Encode(new ConnectPacket { ClientId = "sub" }, MqttProtocolVersion.V500, subscriberOut);
        encoder.Encode(new SubscribePacket(1, [new TopicSubscription("devices/+/telemetry/#", MqttQualityOfService.AtMostOnce)]), MqttProtocolVersion.V500, subscriberOut);
        await subscriberOut.FlushAsync();
        long received = 0;
        var subscribed = new TaskCompletionSource();
        var first = 0L;
        var reading = Task.Run(async () =>
        {
            while (received < expected)
            {
                var result = await subscriberIn.ReadAsync();
                var buffer = result.Buffer;
                while (decoder.TryDecode(buffer, out var packet, out var consumed, out _) == MqttDecodeStatus.Complete)
                {
                    buffer = buffer.Slice(consumed);
                    if (packet is SubAckPacket)
                    {
                        subscribed.TrySetResult();
                    }
                    else if (packet is PublishPacket && ++received == 1)
                    {
                        first = Stopwatch.GetTimestamp();
                    }
                }

                subscriberIn.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        });
        await subscribed.Task;

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, publishers).Select(index => Task.Run(async () =>
        {
            var (_, output) = Open(broker, stop.Token);
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
        // Until everything arrived or nothing more arrives for a second (dropped at the outbound queue).
        var seen = -1L;
        while (!reading.IsCompleted && Interlocked.Read(ref received) != seen)
        {
            seen = Interlocked.Read(ref received);
            await Task.WhenAny(reading, Task.Delay(1000));
        }

        var seconds = Stopwatch.GetElapsedTime(first).TotalSeconds - (reading.IsCompleted ? 0 : 1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mqtt-broker publishers={publishers} messages={expected} payload={payload.Length}B: received {received}, {received / seconds:F0} msgs/s through the broker core ({clock.Elapsed.TotalSeconds:F2} s, GC gen0 {GC.CollectionCount(0)})"));
        await stop.CancelAsync();
    }

    private static (PipeReader FromBroker, PipeWriter ToBroker) Open(MqttBroker broker, CancellationToken cancellationToken)
    {
        var toBroker = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        var fromBroker = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        _ = broker.RunConnectionAsync(new BenchDuplex(toBroker.Reader, fromBroker.Writer), "bench", _ => ConnectDecision.Accept(AllowAllPolicy.Instance), cancellationToken);
        return (fromBroker.Reader, toBroker.Writer);
    }
}
