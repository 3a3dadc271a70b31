using System.Net;
using System.Security.Cryptography.X509Certificates;
using Rampart.Attack.Battery;
using Rampart.Attack.Probes;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Attack.Attacks;

/// <summary>One device publishes as fast as the node acknowledges, well past any sane rate.</summary>
public sealed class MessageFlood : IAttack
{
    /// <summary>Bounded: the flood stops by itself after this many messages.</summary>
    public const int Messages = 1500;

    public string Name => "message-flood";

    public string Description => $"one device sends {Messages} QoS 1 messages as fast as they are acknowledged";

    public AttackMapping Mapping { get; } = new("per-device message and byte rate limits", Problems.AttackSurface, Owasp.I8);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        var (client, connack) = await context.SessionAsync("flooder", cancellationToken);
        await using var session = client;

        var burst = await PublishBurst.SendAsync(client, context.DeviceId("flooder"), Messages, (ushort)Math.Min(connack.Properties.ReceiveMaximum ?? 16, (ushort)16));
        var limited = burst.Limited > 0 || burst.Ended;
        var recorded = limited ? await context.AwaitEventAsync(context.DeviceId("flooder"), ["gateway.limit-exceeded"], cancellationToken) : null;
        return AttackOutcome.Judge(limited && recorded is not null,
            $"{burst}; security event: {recorded ?? "none recorded"}");
    }
}

/// <summary>
/// A device reconnects in a loop and sends a full burst on every connection, the way a device that
/// learned its limits reset on reconnect would. Limits belong to the identity, so the loop must not
/// get more through than one connection would.
/// </summary>
public sealed class ReconnectFlood : IAttack
{
    /// <summary>Bounded: this many reconnects at most.</summary>
    public const int Connections = 12;

    public string Name => "reconnect-flood";

    public string Description => $"one device reconnects {Connections} times, sending a full burst on each connection";

    public AttackMapping Mapping { get; } = new("rate limits and reconnect limits per device identity", Problems.AttackSurface, Owasp.I8);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        var id = context.DeviceId("reconnector");
        var device = await context.DeviceAsync("reconnector", cancellationToken);

        // 1. What one connection gets through before the node says "rate too high": the burst budget.
        var first = await OneConnectionAsync(context, device, id, MessageFlood.Messages);
        if (first.Burst is not { } budget || budget.Limited == 0 && !budget.Ended)
        {
            return AttackOutcome.NotHeld($"the first connection was never limited: {first.Summary}");
        }

        // 2. Reconnect and spend the budget again each time, reconnecting at the first refusal as a
        //    device that learned the trick would. With limits per identity each connection gets only
        //    what refilled since the last one (a handful at 100/s); with limits per connection, a full budget.
        var started = context.Time.GetTimestamp();
        var accepted = 0;
        var refusedConnects = 0;
        for (var i = 0; i < Connections && !cancellationToken.IsCancellationRequested; i++)
        {
            var next = await OneConnectionAsync(context, device, id, budget.Accepted + 10);
            accepted += next.Burst?.Accepted ?? 0;
            refusedConnects += next.Burst is null ? 1 : 0;
        }

        var seconds = context.Time.GetElapsedTime(started).TotalSeconds;
        var unlimited = Connections * budget.Accepted;
        return AttackOutcome.Judge(accepted < unlimited / 2,
            $"one connection's budget {budget.Accepted} messages; {Connections} reconnects in {seconds:0.0} s got {accepted} accepted " +
            $"(fresh budgets would give {unlimited}); {refusedConnects} reconnects refused");
    }

    private static async Task<(PublishBurst? Burst, string Summary)> OneConnectionAsync(AttackContext context, X509Certificate2 device, string id, int messages)
    {
        await using var client = await context.MqttAsync(device);
        var answer = await client.ConnectAsync(id, cleanStart: true);
        if (answer.ReasonCode != MqttReasonCode.Success)
        {
            return (null, $"CONNECT refused {answer.ReasonCode}");
        }

        var burst = await PublishBurst.SendAsync(client, id, messages, (ushort)Math.Min(answer.Properties.ReceiveMaximum ?? 16, (ushort)16), stopWhenLimited: true);
        if (!burst.Ended)
        {
            await client.SendAsync(new DisconnectPacket());
        }

        return (burst, burst.ToString());
    }
}

/// <summary>A second connection with a device's own certificate from another address while the first is live.</summary>
public sealed class ClonedIdentity : IAttack
{
    public string Name => "cloned-identity";

    public string Description => "connect with one device's certificate from a second source address while it is connected";

    public AttackMapping Mapping { get; } = new("cloned identities are detected and recorded", Problems.Tampering, Owasp.I8);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        if (!IPAddress.IsLoopback(context.Target.Mqtt.Address) || context.Target.Mqtt.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return AttackOutcome.Skipped("needs an IPv4 loopback target to connect from a second loopback address (127.0.0.2)");
        }

        var id = context.DeviceId("original");
        var device = await context.DeviceAsync("original", cancellationToken);
        await using var original = await context.MqttAsync(device, localAddress: IPAddress.Parse("127.0.0.1"));
        await original.ConnectAsync(id);
        await using var clone = await context.MqttAsync(device, localAddress: IPAddress.Parse("127.0.0.2"));
        var answer = await clone.ConnectAsync(id);
        var recorded = await context.AwaitEventAsync(id, ["gateway.possible-cloned-identity"], cancellationToken);
        return AttackOutcome.Judge(recorded is not null,
            $"the clone from 127.0.0.2 got CONNACK {answer.ReasonCode}; security event: {recorded ?? "none recorded"}");
    }
}

/// <summary>What a burst of QoS 1 publishes got: accepted, refused for rate, or the connection ended.</summary>
internal sealed record PublishBurst(int Sent, int Accepted, int Limited, int OtherRefusals, bool Ended, string? EndedBy)
{
    public override string ToString() =>
        $"sent {Sent}: {Accepted} accepted, {Limited} refused as too fast (0x96/0x97){(OtherRefusals > 0 ? $", {OtherRefusals} refused otherwise" : "")}" +
        (Ended ? $", then the node ended the session ({EndedBy})" : "");

    /// <summary>Sends up to <paramref name="messages"/> in windows of <paramref name="window"/> in flight.</summary>
    public static async Task<PublishBurst> SendAsync(MqttProbeClient client, string deviceId, int messages, ushort window, bool stopWhenLimited = false)
    {
        int sent = 0, accepted = 0, limited = 0, other = 0;
        ushort packetId = 0;
        while (sent < messages && !(stopWhenLimited && limited > 0))
        {
            var inFlight = Math.Min(window, messages - sent);
            for (var i = 0; i < inFlight; i++)
            {
                packetId = (ushort)(packetId % 60000 + 1);
                await client.SendAsync(new PublishPacket
                {
                    Topic = $"devices/{deviceId}/telemetry/flood", QoS = MqttQualityOfService.AtLeastOnce, PacketId = packetId, Payload = new byte[64],
                });
            }

            sent += inFlight;
            for (var i = 0; i < inFlight; i++)
            {
                var answer = await MqttAnswer.NextAsync(client);
                switch (answer.Packet)
                {
                    case PublishResponsePacket { ReasonCode: MqttReasonCode.Success }:
                        accepted++;
                        break;
                    case PublishResponsePacket { ReasonCode: MqttReasonCode.MessageRateTooHigh or MqttReasonCode.QuotaExceeded }:
                        limited++;
                        break;
                    case PublishResponsePacket:
                        other++;
                        break;
                    default:
                        return new PublishBurst(sent, accepted, limited, other, true, answer.ToString());
                }
            }
        }

        return new PublishBurst(sent, accepted, limited, other, false, null);
    }
}
