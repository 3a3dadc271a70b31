using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Bench;

/// <summary>
/// <c>mqtt-broker [--publishers 4] [--messages 200000] [--payload 64] [--qos 0|1] [--warmup N] [--outbound-queue 1000] [--allocations]</c>: the
/// broker core alone over in-memory pipes (no TLS, no sockets, an allow-all policy): fan-in to one
/// subscriber between established sessions. Separates the broker's own cost from the transport's in
/// the gateway figures. After a warm-up round it reports the measured round's rate, the process's CPU
/// per routed message, the bytes allocated per routed message (all threads,
/// <see cref="GC.GetTotalAllocatedBytes(bool)"/>; the generator itself allocates nothing per message)
/// and the collections per generation during the round.
/// </summary>
internal static class MqttBrokerBench
{
    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var publishers = arguments.Int("publishers", 4);
        var messages = arguments.Int("messages", 200_000);
        var warmup = arguments.Int("warmup", Math.Max(1, messages / 10));
        var qos = (MqttQualityOfService)arguments.Int("qos", 0);
        var payload = new byte[arguments.Int("payload", 64)];
        using var broker = new MqttBroker(new BrokerOptions { MaximumOutboundQueue = arguments.Int("outbound-queue", 1000) }, TimeProvider.System);
        using var stop = new CancellationTokenSource();

        var subscriber = await BrokerFanIn.SubscribeAsync(broker, AllowAllPolicy.Instance, long.MaxValue, stop.Token, qos);
        var outputs = new PipeWriter[publishers];
        var acknowledged = Enumerable.Range(0, publishers).Select(_ => new StrongBox<long>()).ToArray();
        for (var index = 0; index < publishers; index++)
        {
            var (input, output) = BrokerFanIn.Open(broker, AllowAllPolicy.Instance, stop.Token);
            var acknowledgements = acknowledged[index];
            _ = Task.Run(() => BrokerFanIn.DiscardAsync(input, acknowledgements));
            using var encoder = new MqttEncoder();
            encoder.Encode(new ConnectPacket { ClientId = $"pub-{index}" }, MqttProtocolVersion.V500, output);
            await output.FlushAsync();
            outputs[index] = output;
        }

        var packetIds = new long[publishers];
        await PublishAsync(outputs, packetIds, acknowledged, warmup, payload, qos);
        await subscriber.DrainAsync((long)publishers * warmup);

        var expected = (long)publishers * messages;
        var before = subscriber.Received;
        using var sampler = arguments.Flag("allocations") ? new AllocationSampler() : null;
        sampler?.Enabled = true;
        var collections = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await PublishAsync(outputs, packetIds, acknowledged, messages, payload, qos);
        await subscriber.DrainAsync(before + expected);
        var elapsed = clock.Elapsed;
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        var received = subscriber.Received - before;
        var gc = Enumerable.Range(0, 3).Select(generation => GC.CollectionCount(generation) - collections[generation]).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mqtt-broker publishers={publishers} messages={expected} payload={payload.Length}B qos={(int)qos}: received {received}, {received / elapsed.TotalSeconds:F0} msgs/s through the broker core ({elapsed.TotalSeconds:F2} s)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mqtt-broker allocated {(double)bytes / Math.Max(1, received):F1} B per routed message ({bytes} B over {received}), process CPU {used.TotalMicroseconds / Math.Max(1, received):F2} µs per routed message (generator included), GC gen0/1/2 during the run {gc[0]}/{gc[1]}/{gc[2]}"));
        foreach (var (reason, count) in AllowAllPolicy.Drops)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  dropped by the broker: {count} ({reason})"));
        }

        foreach (var line in sampler?.Top(12) ?? [])
        {
            Console.WriteLine("  sampled allocations: " + line);
        }

        await stop.CancelAsync();
    }

    // A publisher keeps at most this many QoS 1 publishes unacknowledged, as a client does within the
    // server's Receive Maximum (5.0 §4.9; the broker closes a connection that leaves 4 × its outbound
    // queue of PUBACKs unread).
    private const int PublisherWindow = 1000;

    // Each publisher on its own task: QoS 0, or QoS 1 with packet ids cycling through 1..65535.
    private static Task PublishAsync(PipeWriter[] outputs, long[] sent, StrongBox<long>[] acknowledged, int messages, byte[] payload, MqttQualityOfService qos) =>
        Task.WhenAll(outputs.Select((output, index) => Task.Run(async () =>
        {
            using var encoder = new MqttEncoder();
            var topic = $"devices/pub-{index}/telemetry/load";
            for (var i = 1; i <= messages; i++)
            {
                var id = qos == MqttQualityOfService.AtMostOnce ? (ushort)0 : (ushort)(++sent[index] % ushort.MaxValue + 1);
                while (qos != MqttQualityOfService.AtMostOnce && sent[index] - Interlocked.Read(ref acknowledged[index].Value) > PublisherWindow)
                {
                    await output.FlushAsync();
                    await Task.Yield();
                }

                encoder.EncodePublish(topic, payload, qos, false, false, id, MqttProperties.Empty, MqttProtocolVersion.V500, output);
                if (i % 64 == 0)
                {
                    await output.FlushAsync();
                }
            }

            await output.FlushAsync();
        })));
}
