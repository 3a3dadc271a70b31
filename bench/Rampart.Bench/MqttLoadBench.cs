using System.Diagnostics;
using System.Globalization;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Bench;

/// <summary>
/// MQTT load against any broker that accepts the provisioned identities (Rampart or mosquitto):
/// <c>mqtt-load --port P --certs DIR [--publishers 8] [--messages 100000] [--payload 64] [--qos 0] [--version 5]</c>
/// fans in from N publishers (each its own device identity and topic) to one subscriber and
/// reports what the subscriber received per second; <c>mqtt-idle --port P --certs DIR --connections N [--hold 20]</c>
/// opens N idle mutual-TLS sessions and holds them while the caller measures the broker; <c>--first K</c> starts at
/// device K (several generators share one provisioned fleet) and <c>--bind 127.0.x.y</c> picks the source address.
/// Every loop is bounded in count and time.
/// </summary>
internal static class MqttLoadBench
{
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(5);

    public static async Task LoadAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var host = arguments.String("host") ?? "127.0.0.1";
        var port = arguments.Int("port", 8883);
        var certs = arguments.String("certs") ?? throw new ArgumentException("--certs DIR is required (see mqtt-provision)");
        var publishers = arguments.Int("publishers", 8);
        var messages = arguments.Int("messages", 100_000);
        var payload = new byte[arguments.Int("payload", 64)];
        var qos = (MqttQualityOfService)arguments.Int("qos", 0);
        var version = arguments.Int("version", 5) == 3 ? MqttProtocolVersion.V311 : MqttProtocolVersion.V500;
        var window = arguments.Int("window", 100);
        var label = arguments.String("label") ?? "broker";
        Random.Shared.NextBytes(payload);
        using var root = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(Path.Combine(certs, "root.pem"));

        await using var subscriber = await BenchMqttClient.ConnectAsync(host, port, BenchMqttClient.LoadIdentity(certs, "bench"), root, "bench-sub", version);
        await SubscribeAsync(subscriber, qos);
        var clients = await Task.WhenAll(Enumerable.Range(0, publishers).Select(i =>
            BenchMqttClient.ConnectAsync(host, port, BenchMqttClient.LoadIdentity(certs, MqttProvisionBench.DeviceId(i)), root, MqttProvisionBench.DeviceId(i), version)));
        var result = await FanInAsync(subscriber, clients, Enumerable.Range(0, publishers).Select(MqttProvisionBench.DeviceId).ToArray(), messages, payload, qos, window);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mqtt-load {label} qos={(int)qos} payload={payload.Length}B publishers={publishers} messages={result.Expected}: received {result.Received} ({100.0 * result.Received / result.Expected:F1}%) at {result.Rate:F0} msgs/s; publishers sent at {result.SendRate:F0} msgs/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {label} {(int)qos} {payload.Length} {result.Rate:F0} {result.Received} {result.Expected}"));
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    public static async Task IdleAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var host = arguments.String("host") ?? "127.0.0.1";
        var port = arguments.Int("port", 8883);
        var certs = arguments.String("certs") ?? throw new ArgumentException("--certs DIR is required (see mqtt-provision)");
        var connections = arguments.Int("connections", 1000);
        var hold = arguments.Int("hold", 20);
        var concurrency = arguments.Int("concurrency", 32);
        var first = arguments.Int("first", 0);
        var bind = arguments.String("bind") is { } address ? System.Net.IPAddress.Parse(address) : null;
        using var root = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(Path.Combine(certs, "root.pem"));
        var identities = Enumerable.Range(first, connections).Select(i => BenchMqttClient.LoadIdentity(certs, MqttProvisionBench.DeviceId(i))).ToArray();
        Console.WriteLine($"mqtt-idle: identities loaded; connecting {connections}");
        await Console.Out.FlushAsync();

        var clients = new BenchMqttClient[connections];
        var next = -1;
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < connections)
            {
                try
                {
                    clients[index] = await BenchMqttClient.ConnectAsync(host, port, identities[index], root, MqttProvisionBench.DeviceId(first + index), MqttProtocolVersion.V500, localAddress: bind);
                }
                catch (Exception exception) when (exception is IOException or InvalidOperationException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mqtt-idle: connected {connections - failures} of {connections} in {seconds:F1} s ({(connections - failures) / seconds:F0} handshakes+CONNECT/s, {concurrency} at a time); holding {hold} s"));
        await Console.Out.FlushAsync();
        await Task.Delay(TimeSpan.FromSeconds(hold));
        foreach (var client in clients.Where(c => c is not null))
        {
            await client.DisposeAsync();
        }
    }

    /// <summary>Subscribes <paramref name="subscriber"/> to every device's telemetry and checks the grant.</summary>
    public static async Task SubscribeAsync(BenchMqttClient subscriber, MqttQualityOfService qos)
    {
        subscriber.Queue(new SubscribePacket(1, [new TopicSubscription("devices/+/telemetry/#", qos)]));
        await subscriber.FlushAsync();
        if (await subscriber.ReceiveAsync() is not SubAckPacket { ReasonCodes: [var granted] } || (byte)granted >= 0x80)
        {
            throw new InvalidOperationException("the subscriber's SUBSCRIBE was refused");
        }
    }

    /// <summary>
    /// Each publisher sends <paramref name="messages"/> to devices/ID/telemetry/load while the subscriber
    /// counts them; ends when all arrived or nothing arrived for 5 s. The rate is the subscriber's, first to last message.
    /// </summary>
    public static async Task<FanInResult> FanInAsync(
        BenchMqttClient subscriber, IReadOnlyList<BenchMqttClient> clients, IReadOnlyList<string> deviceIds, int messages, byte[] payload, MqttQualityOfService qos, int window)
    {
        var expected = (long)clients.Count * messages;
        long received = 0;
        var first = 0L;
        var last = 0L;
        var lastSeen = Stopwatch.GetTimestamp();
        var receiving = Task.Run(() => subscriber.ReadAsync(packet =>
        {
            if (packet is PublishPacket publish && publish.Topic.EndsWith("/load", StringComparison.Ordinal))
            {
                var now = Stopwatch.GetTimestamp();
                if (Interlocked.Increment(ref received) == 1)
                {
                    first = now;
                }

                last = lastSeen = now;
                if (publish.QoS == MqttQualityOfService.AtLeastOnce)
                {
                    subscriber.Queue(new PublishResponsePacket(MqttPacketType.PubAck, publish.PacketId));
                }
            }

            return Interlocked.Read(ref received) < expected;
        }, flushAfterBatch: qos != MqttQualityOfService.AtMostOnce));

        var sendClock = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select((client, index) => Task.Run(() => PublishAsync(client, deviceIds[index], messages, payload, qos, window))));
        var sendSeconds = sendClock.Elapsed.TotalSeconds;

        // Wait for the subscriber to have everything, or for the flow to stall (lost messages).
        while (!receiving.IsCompleted && Stopwatch.GetElapsedTime(lastSeen) < Stall)
        {
            await Task.WhenAny(receiving, Task.Delay(100));
        }

        var seconds = Stopwatch.GetElapsedTime(first, last).TotalSeconds;
        return new FanInResult(received, expected, received / Math.Max(seconds, 1e-9), expected / sendSeconds);
    }

    private static async Task PublishAsync(BenchMqttClient client, string deviceId, int messages, byte[] payload, MqttQualityOfService qos, int window)
    {
        var topic = $"devices/{deviceId}/telemetry/load";
        if (qos == MqttQualityOfService.AtMostOnce)
        {
            for (var i = 1; i <= messages; i++)
            {
                client.QueuePublish(topic, payload, qos, 0);
                if (i % 32 == 0)
                {
                    await client.FlushAsync();
                }
            }

            await client.FlushAsync();
            return;
        }

        // QoS 1: at most `window` unacknowledged, as a device honouring Receive Maximum would.
        using var slots = new SemaphoreSlim(window, window);
        var acks = Task.Run(() => client.ReadAsync(packet =>
        {
            if (packet is PublishResponsePacket { Kind: MqttPacketType.PubAck })
            {
                slots.Release();
            }

            return true;
        }));
        for (var i = 1; i <= messages; i++)
        {
            if (!slots.Wait(0))
            {
                await client.FlushAsync();
                if (!await slots.WaitAsync(Stall))
                {
                    throw new TimeoutException($"{deviceId}: no PUBACK for {Stall.TotalSeconds} s");
                }
            }

            client.QueuePublish(topic, payload, qos, (ushort)(i % 65_535 + 1));
        }

        await client.FlushAsync();
        for (var i = 0; i < window; i++)
        {
            await slots.WaitAsync(Stall);
        }
    }
}

/// <summary>What a fan-in run delivered: messages received of those sent, the subscriber's rate and the publishers'.</summary>
internal readonly record struct FanInResult(long Received, long Expected, double Rate, double SendRate);
