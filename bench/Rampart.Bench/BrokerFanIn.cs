using System.Diagnostics;
using System.IO.Pipelines;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Bench;

/// <summary>
/// The broker core over in-memory pipes with one QoS 0 subscriber on <c>devices/+/telemetry/#</c> that
/// counts what arrives: shared by <c>mqtt-broker</c> and <c>detection-overhead</c>.
/// </summary>
internal sealed class BrokerFanIn
{
    private long _received;

    private BrokerFanIn(Task reading) => Reading = reading;

    /// <summary>Publishes received so far.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>When the first publish arrived (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public long First { get; private set; }

    /// <summary>Ends when all expected publishes arrived or the broker closed the subscriber.</summary>
    public Task Reading { get; private set; }

    /// <summary>Connects and subscribes; returns once the subscription is acknowledged.</summary>
    public static async Task<BrokerFanIn> SubscribeAsync(MqttBroker broker, IMqttClientPolicy policy, long expected, CancellationToken cancellationToken)
    {
        var (input, output) = Open(broker, policy, cancellationToken);
        using var encoder = new MqttEncoder();
        encoder.Encode(new ConnectPacket { ClientId = "sub" }, MqttProtocolVersion.V500, output);
        encoder.Encode(new SubscribePacket(1, [new TopicSubscription("devices/+/telemetry/#", MqttQualityOfService.AtMostOnce)]), MqttProtocolVersion.V500, output);
        await output.FlushAsync(cancellationToken);
        var subscribed = new TaskCompletionSource();
        var fanIn = new BrokerFanIn(Task.CompletedTask);
        fanIn.Reading = Task.Run(() => fanIn.ReadAsync(input, expected, subscribed), CancellationToken.None);
        await subscribed.Task;
        return fanIn;
    }

    /// <summary>Waits until everything arrived or nothing more arrives for a second (dropped at the outbound queue).</summary>
    public async Task DrainAsync()
    {
        var seen = -1L;
        while (!Reading.IsCompleted && Received != seen)
        {
            seen = Received;
            await Task.WhenAny(Reading, Task.Delay(1000));
        }
    }

    /// <summary>A connection to the broker under <paramref name="policy"/>: what it sends, what it is sent.</summary>
    public static (PipeReader FromBroker, PipeWriter ToBroker) Open(MqttBroker broker, IMqttClientPolicy policy, CancellationToken cancellationToken)
    {
        var toBroker = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        var fromBroker = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        _ = broker.RunConnectionAsync(new BenchDuplex(toBroker.Reader, fromBroker.Writer), "bench", _ => ConnectDecision.Accept(policy), cancellationToken);
        return (fromBroker.Reader, toBroker.Writer);
    }

    private async Task ReadAsync(PipeReader input, long expected, TaskCompletionSource subscribed)
    {
        var decoder = new MqttDecoder(uint.MaxValue) { Version = MqttProtocolVersion.V500 };
        while (Received < expected)
        {
            var result = await input.ReadAsync();
            var buffer = result.Buffer;
            while (decoder.TryDecode(buffer, out var packet, out var consumed, out _) == MqttDecodeStatus.Complete)
            {
                buffer = buffer.Slice(consumed);
                if (packet is SubAckPacket)
                {
                    subscribed.TrySetResult();
                }
                else if (packet is PublishPacket && Interlocked.Increment(ref _received) == 1)
                {
                    First = Stopwatch.GetTimestamp();
                }
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                subscribed.TrySetResult();
                return;
            }
        }
    }
}
