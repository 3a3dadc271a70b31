using System.Buffers;
using System.Diagnostics;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Bench;

/// <summary>PUBLISH encode and decode rates of the codec alone (one core), and bytes allocated per packet.</summary>
internal static class MqttCodecBench
{
    /// <summary><c>mqtt-codec [--packets 2000000]</c>.</summary>
    public static Task RunAsync(string[] args)
    {
        var packets = new BenchArguments(args).Int("packets", 2_000_000);
        foreach (var (size, qos) in new[] { (64, MqttQualityOfService.AtMostOnce), (1024, MqttQualityOfService.AtMostOnce), (64, MqttQualityOfService.AtLeastOnce) })
        {
            var publish = new PublishPacket { Topic = "devices/sensor-000042/telemetry/temperature", Payload = new byte[size], QoS = qos, PacketId = qos == 0 ? (ushort)0 : (ushort)1 };
            using var encoder = new MqttEncoder();
            var output = new ArrayBufferWriter<byte>(size + 128);
            var encodeAllocated = GC.GetAllocatedBytesForCurrentThread();
            var stopwatch = Stopwatch.StartNew();
            for (var i = 0; i < packets; i++)
            {
                output.ResetWrittenCount();
                encoder.Encode(publish, MqttProtocolVersion.V500, output);
            }

            var encodeRate = packets / stopwatch.Elapsed.TotalSeconds;
            encodeAllocated = (GC.GetAllocatedBytesForCurrentThread() - encodeAllocated) / packets;
            var bytes = new ReadOnlySequence<byte>(output.WrittenMemory.ToArray());
            var decoder = new MqttDecoder(1024 * 1024) { Version = MqttProtocolVersion.V500 };
            var decodeAllocated = GC.GetAllocatedBytesForCurrentThread();
            stopwatch.Restart();
            for (var i = 0; i < packets; i++)
            {
                decoder.TryDecode(bytes, out _, out _, out _);
            }

            var decodeRate = packets / stopwatch.Elapsed.TotalSeconds;
            decodeAllocated = (GC.GetAllocatedBytesForCurrentThread() - decodeAllocated) / packets;
            Console.WriteLine($"mqtt-codec PUBLISH QoS {(int)qos} {size,4} B: encode {encodeRate,11:N0}/s ({encodeAllocated} B allocated each), decode {decodeRate,11:N0}/s ({decodeAllocated} B allocated each)");
        }

        return Task.CompletedTask;
    }
}
