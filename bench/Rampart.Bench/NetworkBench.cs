using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using PacketDotNet;
using Rampart.Network;
using Rampart.Network.Captures;
using Rampart.Network.Collector;
using Rampart.Network.Flows;

namespace Rampart.Bench;

/// <summary>
/// <c>network-import [--packets 400000]</c>: a pcap built in memory (Ethernet/IPv4/TCP frames of 60–1514
/// bytes between 2,000 hosts, with PacketDotNet) read, dissected and aggregated into flows as an import
/// does; reports MB and packets per CPU-second. <c>ipfix-collector [--records 2000000]</c>: IPFIX messages
/// (RFC 7011, one template, 30 records each) decoded and queued by the collector while a reader drains it;
/// reports records per CPU-second and the drops at the bounded queue.
/// </summary>
internal static class NetworkBench
{
    public static async Task ImportAsync(string[] args)
    {
        var packets = new BenchArguments(args).Int("packets", 400_000);
        var capture = BuildPcap(packets);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var reader = new CaptureReader(new MemoryStream(capture), new CaptureLimits());
        var table = new FlowTable(1_000_000);
        while (await reader.NextAsync(CancellationToken.None) is { } frame)
        {
            if (FrameDissector.TryDissect(frame, out var facts))
            {
                table.Add(facts, frame.Time);
            }
        }

        var flows = table.Flows();
        var seconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Console.WriteLine($"network-import: {capture.Length / 1e6:F1} MB, {reader.Frames} frames, {flows.Count} flows in {seconds:F2} CPU-s ({wall.Elapsed.TotalSeconds:F2} s wall): "
            + $"{capture.Length / 1e6 / seconds:F1} MB/CPU-s, {reader.Frames / seconds:F0} packets/CPU-s; load {LoadAverage()}");
    }

    public static async Task CollectorAsync(string[] args)
    {
        var records = new BenchArguments(args).Int("records", 2_000_000);
        const int perMessage = 30;
        var message = BuildIpfix(perMessage);
        await using var collector = new IpfixCollector(new IPEndPoint(IPAddress.Loopback, 0), new NetworkOptions { DatagramsPerSecondPerExporter = int.MaxValue }, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        long drained = 0;
        var draining = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    Interlocked.Add(ref drained, (await collector.ReadBatchAsync(50_000, stop.Token)).Count);
                }
            }
            catch (OperationCanceledException)
            {
                // done
            }
        });

        var exporter = new IPEndPoint(IPAddress.Loopback, 4739);
        var scratch = new List<FlowRecord>();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        for (var sent = 0; sent < records; sent += perMessage)
        {
            collector.Accept(message, exporter, scratch);
        }

        await Rampart.Testing.Eventually.HoldsAsync(() => Task.FromResult(Interlocked.Read(ref drained) >= collector.Counters.Flows), "the queue drained");
        var seconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        await stop.CancelAsync();
        await draining;
        var counters = collector.Counters;
        Console.WriteLine($"ipfix-collector: {counters.Flows + counters.Dropped} records decoded in {seconds:F2} CPU-s ({wall.Elapsed.TotalSeconds:F2} s wall): {(counters.Flows + counters.Dropped) / seconds:F0} records/CPU-s; "
            + $"queued {counters.Flows}, dropped at the bounded queue {counters.Dropped}; load {LoadAverage()}");
    }

    private static byte[] BuildPcap(int packets)
    {
        using var output = new MemoryStream();
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 262_144);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 1);
        output.Write(header);
        var random = new Random(21);
        Span<byte> record = stackalloc byte[16];
        for (var i = 0; i < packets; i++)
        {
            var host = random.Next(2000);
            var ip = new IPv4Packet(IPAddress.Parse($"10.1.{host / 250}.{host % 250 + 1}"), IPAddress.Parse("10.0.0.1"));
            var tcp = new TcpPacket((ushort)(40000 + host), (ushort)(host % 3 == 0 ? 1883 : 443)) { PayloadData = new byte[random.Next(6, 1460)] };
            ip.PayloadPacket = tcp;
            var ethernet = new EthernetPacket(PhysicalAddress.Parse("02-00-00-00-00-01"), PhysicalAddress.Parse("02-00-00-00-00-02"), EthernetType.IPv4) { PayloadPacket = ip };
            var bytes = ethernet.Bytes;
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(1_700_000_000 + i / 1000));
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(i % 1000 * 1000));
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)bytes.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)bytes.Length);
            output.Write(record);
            output.Write(bytes);
        }

        return output.ToArray();
    }

    // RFC 7011 §3.1 header, §3.4.1 template set (template 256: source/destination IPv4, ports, protocol, packets, octets), one data set.
    private static byte[] BuildIpfix(int count)
    {
        const int recordLength = 29;
        var message = new byte[16 + 36 + 4 + count * recordLength];
        var span = message.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, 10);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)message.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], 1_700_000_000);
        BinaryPrimitives.WriteUInt16BigEndian(span[16..], 2);
        BinaryPrimitives.WriteUInt16BigEndian(span[18..], 36);
        BinaryPrimitives.WriteUInt16BigEndian(span[20..], 256);
        BinaryPrimitives.WriteUInt16BigEndian(span[22..], 7);
        ushort[] fields = [8, 4, 12, 4, 7, 2, 11, 2, 4, 1, 2, 8, 1, 8];
        for (var i = 0; i < fields.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[(24 + i * 2)..], fields[i]);
        }

        BinaryPrimitives.WriteUInt16BigEndian(span[52..], 256);
        BinaryPrimitives.WriteUInt16BigEndian(span[54..], (ushort)(4 + count * recordLength));
        for (var r = 0; r < count; r++)
        {
            var data = span[(56 + r * recordLength)..];
            data[0] = 10; data[1] = 1; data[2] = (byte)r; data[3] = 9;
            data[4] = 10; data[5] = 0; data[6] = 0; data[7] = 1;
            BinaryPrimitives.WriteUInt16BigEndian(data[8..], (ushort)(40000 + r));
            BinaryPrimitives.WriteUInt16BigEndian(data[10..], 1883);
            data[12] = 6;
            BinaryPrimitives.WriteUInt64BigEndian(data[13..], 10);
            BinaryPrimitives.WriteUInt64BigEndian(data[21..], 1200);
        }

        return message;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
