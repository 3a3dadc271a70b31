using System.Diagnostics;
using System.Net.Sockets;
using Rampart.Attack.Battery;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Attack.Attacks;

/// <summary>A PUBLISH one byte over the Maximum Packet Size the node announced, then one of 16 MiB.</summary>
public sealed class OversizedPacket : IAttack
{
    public string Name => "oversized-packet";

    public string Description => "send a PUBLISH larger than the node's announced maximum packet size";

    public AttackMapping Mapping { get; } = new("packet size limits", Problems.AttackSurface, Owasp.I2);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        var (client, connack) = await context.SessionAsync("attacker", cancellationToken);
        await using var session = client;

        // MQTT 5.0 §3.2.2.3.6: the server's Maximum Packet Size; absent means "no limit" — itself a finding.
        if (connack.Properties.MaximumPacketSize is not { } maximum)
        {
            return AttackOutcome.NotHeld("the node announced no Maximum Packet Size in CONNACK");
        }

        var topic = $"devices/{context.DeviceId("attacker")}/telemetry/big";
        var payload = new byte[(int)Math.Min(maximum, 64 * 1024 * 1024)];
        try
        {
            await client.SendAsync(new PublishPacket { Topic = topic, QoS = MqttQualityOfService.AtLeastOnce, PacketId = 1, Payload = payload });
        }
        catch (IOException)
        {
            // MQTT 5.0 §3.1.2.24: the node may close as soon as the fixed header announces too much.
            return AttackOutcome.Held($"announced maximum {maximum} B; the node closed the connection while a {payload.Length} B PUBLISH was being sent");
        }

        var answer = await MqttAnswer.NextAsync(client);
        return AttackOutcome.Judge(answer.Ended,
            $"announced maximum {maximum} B; a PUBLISH of {payload.Length + topic.Length + 8} B was answered: {answer}");
    }
}

/// <summary>Malformed packets, each on a fresh connection; the node must end each session and stay healthy.</summary>
public sealed class MalformedPackets : IAttack
{
    // Each is invalid per MQTT 5.0 §1.5.5 / §2.1 / §3.3: a five-byte remaining length, a reserved type,
    // a second CONNECT, a PUBLISH with QoS 3, a topic that is not UTF-8, and a truncated property block.
    private static readonly (string What, byte[] Bytes)[] Cases =
    [
        ("remaining length of five bytes", [0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]),
        ("reserved packet type 0", [0x00, 0x00]),
        ("second CONNECT", [0x10, 0x10, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x03, (byte)'a', (byte)'b', (byte)'c']),
        ("PUBLISH with QoS 3", [0x36, 0x06, 0x00, 0x01, (byte)'a', 0x00, 0x01, 0x00]),
        ("topic that is not UTF-8", [0x30, 0x06, 0x00, 0x02, 0xC3, 0x28, 0x00, 0x78]),
        ("truncated property block", [0x30, 0x05, 0x00, 0x01, (byte)'a', 0x7F, 0x01]),
    ];

    public string Name => "malformed-packets";

    public string Description => "send malformed MQTT packets, one per session, then check the node still serves";

    public AttackMapping Mapping { get; } = new("strict MQTT codec: malformed input ends the session, never the node", Problems.AttackSurface, Owasp.I2);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        var device = await context.DeviceAsync("fuzzer", cancellationToken);
        var evidence = new List<string>();
        var held = true;
        foreach (var (what, bytes) in Cases)
        {
            await using var client = await context.MqttAsync(device);
            var connack = await client.ConnectAsync(context.DeviceId("fuzzer"));
            if (connack.ReasonCode != MqttReasonCode.Success)
            {
                evidence.Add($"{what}: could not connect ({connack.ReasonCode})");
                held = false;
                continue;
            }

            await client.SendRawAsync(bytes);
            var answer = await MqttAnswer.NextAsync(client);
            held &= answer.Ended;
            evidence.Add($"{what}: {answer}");
        }

        var healthy = await context.HealthyAsync(cancellationToken);
        await using var after = await context.MqttAsync(device);
        var again = await after.ConnectAsync(context.DeviceId("fuzzer"));
        evidence.Add($"afterwards /healthz {(healthy ? "200" : "failed")}, a valid CONNECT {again.ReasonCode}");
        return AttackOutcome.Judge(held && healthy && again.ReasonCode == MqttReasonCode.Success, string.Join("; ", evidence));
    }
}

/// <summary>Connections that never finish (never start) the TLS handshake, as a slowloris would hold them.</summary>
public sealed class SlowHandshake : IAttack
{
    /// <summary>How long the attack waits for the node to cut the connections before judging it did not.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public string Name => "slow-handshake";

    public string Description => "open TCP connections to the MQTT port, send half a ClientHello or nothing, and hold them";

    public AttackMapping Mapping { get; } = new("handshake deadline and half-open connection caps", Problems.AttackSurface, Owasp.I2);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        var endPoint = context.Target.Mqtt;
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                await socket.ConnectAsync(endPoint, cancellationToken);
                if (i % 2 == 1)
                {
                    await socket.SendAsync(new byte[] { 22, 3, 1, 0x02, 0x00, 1, 0, 1 }, SocketFlags.None, cancellationToken); // a ClientHello cut short
                }
            }

            var watch = Stopwatch.StartNew();
            var closed = await Task.WhenAll(sockets.Select(socket => ClosedWithinAsync(socket, Limit, cancellationToken)));
            return AttackOutcome.Judge(closed.All(c => c),
                $"{closed.Count(c => c)} of {sockets.Count} held connections were closed by the node within {watch.Elapsed.TotalSeconds:0} s (limit {Limit.TotalSeconds:0} s)");
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    private static async Task<bool> ClosedWithinAsync(Socket socket, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(limit);
        var buffer = new byte[1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token) > 0)
            {
                // An alert may come before the close; keep reading until the node closes.
            }

            return true;
        }
        catch (SocketException)
        {
            return true; // reset by the node
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
