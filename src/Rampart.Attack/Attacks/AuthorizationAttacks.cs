using System.Net.Http.Json;
using System.Text;
using Rampart.Attack.Battery;
using Rampart.Attack.Probes;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Attack.Attacks;

/// <summary>An enrolled device publishes to another device's topics and subscribes to its commands.</summary>
public sealed class AnotherDevicesTopics : IAttack
{
    public string Name => "another-devices-topics";

    public string Description => "an enrolled device publishes as another device and subscribes to its commands";

    public AttackMapping Mapping { get; } = new("per-device least-privilege topic permissions", Problems.Identity, Owasp.I3);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        var victim = context.DeviceId("victim");
        await context.DeviceAsync("victim", cancellationToken);
        var (client, _) = await context.SessionAsync("attacker", cancellationToken);
        await using var session = client;

        var subscribe = await client.SubscribeAsync(1, new TopicSubscription($"devices/{victim}/commands/#", MqttQualityOfService.AtLeastOnce));
        var subscribeRefused = subscribe.ReasonCodes.All(code => (byte)code >= 0x80);
        await client.SendAsync(new PublishPacket
        {
            Topic = $"devices/{victim}/telemetry/forged", QoS = MqttQualityOfService.AtLeastOnce, PacketId = 2, Payload = Encoding.UTF8.GetBytes("{\"forged\":true}"),
        });
        var answer = await MqttAnswer.NextAsync(client);
        return AttackOutcome.Judge(subscribeRefused && answer.Refused,
            $"SUBSCRIBE devices/{victim}/commands/#: {string.Join(",", subscribe.ReasonCodes)}; PUBLISH devices/{victim}/telemetry/forged: {answer}");
    }
}

/// <summary>Wildcard subscriptions across the fleet and into the broker's own topics.</summary>
public sealed class WildcardSubscriptions : IAttack
{
    private static readonly string[] Filters = ["#", "devices/+/telemetry/#", "devices/#", "+/+/commands/#", "$SYS/#"];

    public string Name => "wildcard-subscriptions";

    public string Description => "an enrolled device subscribes to #, devices/+/telemetry/#, devices/# and $SYS/#";

    public AttackMapping Mapping { get; } = new("per-device least-privilege topic permissions", Problems.Identity, Owasp.I3);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        var (client, _) = await context.SessionAsync("attacker", cancellationToken);
        await using var session = client;

        var evidence = new List<string>();
        var held = true;
        ushort id = 10;
        foreach (var filter in Filters)
        {
            await client.SendAsync(new SubscribePacket(id++, [new TopicSubscription(filter, MqttQualityOfService.AtMostOnce)]));
            var answer = await MqttAnswer.NextAsync(client);
            held &= answer.Refused;
            evidence.Add($"{filter}: {answer}");
            if (answer.Ended)
            {
                break; // the node ended the session: the rest are refused with it
            }
        }

        return AttackOutcome.Judge(held, string.Join("; ", evidence));
    }
}

/// <summary>A device's valid certificate with another device's id as the MQTT client id.</summary>
public sealed class ClientIdSpoofing : IAttack
{
    public string Name => "client-id-spoofing";

    public string Description => "connect with a valid device certificate but another device's id as client id";

    public AttackMapping Mapping { get; } = new("the client id must be the certificate's device id", Problems.Identity, Owasp.I3);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        var attacker = await context.DeviceAsync("attacker", cancellationToken);
        await context.DeviceAsync("victim", cancellationToken);
        await using var client = await context.MqttAsync(attacker);
        try
        {
            var connack = await client.ConnectAsync(context.DeviceId("victim"));
            return AttackOutcome.Judge(connack.ReasonCode != MqttReasonCode.Success, $"CONNECT as {context.DeviceId("victim")}: {connack.ReasonCode}");
        }
        catch (Exception exception) when (exception is InvalidOperationException or TimeoutException)
        {
            return AttackOutcome.Held($"CONNECT as {context.DeviceId("victim")}: the connection was closed without a session");
        }
    }
}

/// <summary>Default and common credentials, on the operator API and as MQTT user name and password.</summary>
public sealed class DefaultCredentials : IAttack
{
    private static readonly (string User, string Password)[] Common = [("admin", "admin"), ("root", "root"), ("admin", "password"), ("root", "xc3511"), ("admin", "1234"), ("rampart", "rampart")];

    public string Name => "default-credentials";

    public string Description => "log in to the operator API with admin/admin and the Mirai list's favourites; CONNECT to MQTT with them and no certificate";

    public AttackMapping Mapping { get; } = new("no default credentials anywhere", Problems.DefaultPasswords, Owasp.I1);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        var evidence = new List<string>();
        var held = true;
        using var http = context.Https();
        foreach (var (user, password) in Common)
        {
            using var response = await http.PostAsJsonAsync("api/v1/auth/login", new { user, password }, cancellationToken);
            held &= !response.IsSuccessStatusCode;
            evidence.Add($"login {user}/{password}: {(int)response.StatusCode}");
        }

        var mqtt = await MqttRefusal.JudgeAsync(context, null, "MQTT admin/admin without a certificate", credentials: ("admin", "admin"));
        held &= mqtt.Verdict == AttackVerdict.Held;
        evidence.Add(mqtt.Evidence);
        return AttackOutcome.Judge(held, string.Join("; ", evidence));
    }
}

/// <summary>What the node answered next on an MQTT connection: a packet, a close, or nothing in time.</summary>
internal sealed record MqttAnswer(MqttPacket? Packet, bool TimedOut)
{
    /// <summary>The node refused: an error reason code, a DISCONNECT or a close. Silence is not a refusal.</summary>
    public bool Refused => !TimedOut && Packet switch
    {
        null => true,
        DisconnectPacket => true,
        PublishResponsePacket ack => (byte)ack.ReasonCode >= 0x80,
        SubAckPacket suback => suback.ReasonCodes.All(code => (byte)code >= 0x80),
        ConnAckPacket connack => connack.ReasonCode != MqttReasonCode.Success,
        _ => false,
    };

    /// <summary>The connection is over (closed or a DISCONNECT).</summary>
    public bool Ended => !TimedOut && Packet is null or DisconnectPacket;

    public override string ToString() => TimedOut ? $"no answer within {AttackContext.Patience.TotalSeconds:0} s" : Packet switch
    {
        null => "the node closed the connection",
        PublishResponsePacket ack => $"{ack.Kind} {ack.ReasonCode}",
        SubAckPacket suback => $"SUBACK {string.Join(",", suback.ReasonCodes)}",
        DisconnectPacket disconnect => $"DISCONNECT {disconnect.ReasonCode}",
        ConnAckPacket connack => $"CONNACK {connack.ReasonCode}",
        _ => Packet.Type.ToString(),
    };

    public static async Task<MqttAnswer> NextAsync(MqttProbeClient client)
    {
        try
        {
            return new MqttAnswer(await client.ReceiveAsync(AttackContext.Patience), false);
        }
        catch (TimeoutException)
        {
            return new MqttAnswer(null, true);
        }
    }
}
