using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Bench;

/// <summary>
/// The broker core over in-memory pipes with one subscriber on <c>devices/+/telemetry/#</c> that
/// counts what arrives (and acknowledges QoS 1 with PUBACK): shared by <c>mqtt-broker</c> and
/// <c>detection-overhead</c>. It reads frames by their fixed header only and writes PUBACKs as four
/// bytes, so it allocates nothing per message itself: a process-wide allocation count over a run is
/// the broker's (and the publishers', which encode without allocating).
/// </summary>
internal sealed class BrokerFanIn
{
    private long _received;
    private readonly long _expected;
    private Target _target = new(long.MaxValue, new TaskCompletionSource());

    private BrokerFanIn(Task reading, long expected)
    {
        Reading = reading;
        _expected = expected;
    }

    /// <summary>Publishes received so far.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>When the first publish arrived (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public long First { get; private set; }

    /// <summary>Ends when all expected publishes arrived or the broker closed the subscriber.</summary>
    public Task Reading { get; private set; }

    /// <summary>Connects and subscribes at <paramref name="qos"/>; returns once the subscription is acknowledged.</summary>
    public static async Task<BrokerFanIn> SubscribeAsync(
        MqttBroker broker, IMqttClientPolicy policy, long expected, CancellationToken cancellationToken, MqttQualityOfService qos = MqttQualityOfService.AtMostOnce)
    {
        var (input, output) = Open(broker, policy, cancellationToken);
        using (var encoder = new MqttEncoder())
        {
            encoder.Encode(new ConnectPacket { ClientId = "sub" }, MqttProtocolVersion.V500, output);
            encoder.Encode(new SubscribePacket(1, [new TopicSubscription("devices/+/telemetry/#", qos)]), MqttProtocolVersion.V500, output);
        }

        await output.FlushAsync(cancellationToken);
        var subscribed = new TaskCompletionSource();
        var fanIn = new BrokerFanIn(Task.CompletedTask, expected);
        fanIn.Reading = Task.Run(() => fanIn.ReadAsync(input, output, subscribed), CancellationToken.None);
        await subscribed.Task;
        return fanIn;
    }

    /// <summary>Waits until <paramref name="total"/> arrived or nothing more arrives for a second (dropped at the outbound queue).</summary>
    public async Task DrainAsync(long total = long.MaxValue)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _target, new Target(total, reached));
        var seen = -1L;
        while (!Reading.IsCompleted && Received < total && Received != seen)
        {
            seen = Received;
            await Task.WhenAny(Reading, reached.Task, Task.Delay(1000));
        }
    }

    /// <summary>
    /// One round of the fan-in: <paramref name="publishers"/> device identities each publish
    /// <paramref name="messages"/> QoS 0 64-byte messages to this subscriber; returns the process's CPU µs
    /// per delivered message, then stops the round.
    /// </summary>
    public async Task<double> CpuPerMessageAsync(MqttBroker broker, int publishers, int messages, CancellationTokenSource stop)
    {
        var payload = new byte[64];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.WhenAll(Enumerable.Range(0, publishers).Select(index => Task.Run(async () =>
        {
            var (_, output) = Open(broker, new Detection.DetectionOverheadBench.PrincipalPolicy($"device:pub-{index}"), stop.Token);
            using var encoder = new MqttEncoder();
            encoder.Encode(new ConnectPacket { ClientId = $"pub-{index}" }, MqttProtocolVersion.V500, output);
            for (var i = 1; i <= messages; i++)
            {
                encoder.EncodePublish($"devices/pub-{index}/telemetry/{i % 4}", payload, MqttQualityOfService.AtMostOnce, false, false, 0, MqttProperties.Empty, MqttProtocolVersion.V500, output);
                if (i % 64 == 0)
                {
                    await output.FlushAsync();
                }
            }

            await output.FlushAsync();
        })));
        await DrainAsync();
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        await stop.CancelAsync();
        return used.TotalMicroseconds / Math.Max(1, Received);
    }

    /// <summary>A connection to the broker under <paramref name="policy"/>: what it sends, what it is sent.</summary>
    public static (PipeReader FromBroker, PipeWriter ToBroker) Open(MqttBroker broker, IMqttClientPolicy policy, CancellationToken cancellationToken)
    {
        var toBroker = new Pipe(new PipeOptions(BenchMemoryPool.Instance, pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        var fromBroker = new Pipe(new PipeOptions(BenchMemoryPool.Instance, pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        _ = broker.RunConnectionAsync(new BenchDuplex(toBroker.Reader, fromBroker.Writer), "bench", _ => ConnectDecision.Accept(policy), cancellationToken);
        return (fromBroker.Reader, toBroker.Writer);
    }

    /// <summary>Reads what the broker sends a publisher (CONNACK, PUBACKs) until it closes, counting PUBACKs in <paramref name="acknowledged"/>.</summary>
    public static async Task DiscardAsync(PipeReader input, StrongBox<long> acknowledged)
    {
        while (true)
        {
            var result = await input.ReadAsync();
            var buffer = result.Buffer;
            while (TryFrame(ref buffer, out var type, out _, out _))
            {
                if (type == MqttPacketType.PubAck)
                {
                    Interlocked.Increment(ref acknowledged.Value);
                }
            }

            input.AdvanceTo(buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    private async Task ReadAsync(PipeReader input, PipeWriter acknowledgements, TaskCompletionSource subscribed)
    {
        while (Received < _expected)
        {
            var result = await input.ReadAsync();
            var buffer = result.Buffer;
            var acknowledged = false;
            while (TryFrame(ref buffer, out var type, out var qos, out var packetId))
            {
                if (type == MqttPacketType.SubAck)
                {
                    subscribed.TrySetResult();
                }
                else if (type == MqttPacketType.Publish)
                {
                    var received = Interlocked.Increment(ref _received);
                    if (received == 1)
                    {
                        First = Stopwatch.GetTimestamp();
                    }

                    if (Volatile.Read(ref _target) is var target && received >= target.Total)
                    {
                        target.Reached.TrySetResult();
                    }

                    if (qos > 0)
                    {
                        // 5.0 §3.4.2.1: a PUBACK with Success and no properties is the packet id alone.
                        var span = acknowledgements.GetSpan(4);
                        span[0] = 0x40;
                        span[1] = 2;
                        BinaryPrimitives.WriteUInt16BigEndian(span[2..], packetId);
                        acknowledgements.Advance(4);
                        acknowledged = true;
                    }
                }
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (acknowledged)
            {
                await acknowledgements.FlushAsync();
            }

            if (result.IsCompleted)
            {
                subscribed.TrySetResult();
                return;
            }
        }
    }

    // One whole frame off the front of the buffer: its type, and for a PUBLISH its QoS and packet id (§3.3.2).
    private static bool TryFrame(ref ReadOnlySequence<byte> buffer, out MqttPacketType type, out int qos, out ushort packetId)
    {
        type = default;
        qos = 0;
        packetId = 0;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryRead(out var first))
        {
            return false;
        }

        var remaining = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (!reader.TryRead(out var b))
            {
                return false;
            }

            remaining |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        if (reader.Remaining < remaining)
        {
            return false;
        }

        type = (MqttPacketType)(first >> 4);
        qos = (first >> 1) & 0x03;
        if (type == MqttPacketType.Publish && qos > 0)
        {
            var body = new SequenceReader<byte>(buffer.Slice(reader.Position, remaining));
            body.TryReadBigEndian(out short topicLength);
            body.Advance((ushort)topicLength);
            body.TryReadBigEndian(out short id);
            packetId = (ushort)id;
        }

        reader.Advance(remaining);
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    private sealed record Target(long Total, TaskCompletionSource Reached);
}
