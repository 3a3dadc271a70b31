using System.Text;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Bench.Fuzz;

/// <summary>
/// Packets that are well-formed but hostile, field by field: topics with wildcards, another device's
/// topics, control and non-characters, long names; every QoS, retain and duplicate flag; extreme
/// property values. They pass the codec and test what the broker and the policy decide.
/// </summary>
internal sealed class FieldMutator(int seed)
{
    private static readonly string[] TopicParts = ["#", "+", "$SYS", "..", "", "\u0001", "\uFFFF", "\u00e9", "commands", "telemetry", "devices", "other-device", new string('a', 300)];

    private readonly Random _random = new(seed);

    /// <summary>A hostile but well-formed packet from <paramref name="deviceId"/>'s session.</summary>
    public MqttPacket Next(string deviceId)
    {
        var topic = _random.Next(3) == 0 ? $"devices/{deviceId}/telemetry/{Part()}" : string.Join('/', Enumerable.Range(0, 1 + _random.Next(5)).Select(_ => Part()));
        return _random.Next(4) switch
        {
            0 => new SubscribePacket((ushort)(1 + _random.Next(65535)),
                [new TopicSubscription(topic, (MqttQualityOfService)_random.Next(3), _random.Next(2) == 0, _random.Next(2) == 0, (RetainHandling)_random.Next(3))]),
            1 => new UnsubscribePacket((ushort)(1 + _random.Next(65535)), [topic]),
            _ => Publish(topic),
        };
    }

    private PublishPacket Publish(string topic)
    {
        var qos = (MqttQualityOfService)_random.Next(3);
        return new PublishPacket
        {
            Topic = topic.Contains('#') || topic.Contains('+') || topic.Length == 0 ? "devices/x/telemetry/t" : topic,
            QoS = qos, PacketId = qos == MqttQualityOfService.AtMostOnce ? (ushort)0 : (ushort)(1 + _random.Next(65535)),
            Retain = _random.Next(4) == 0,
            Payload = Encoding.UTF8.GetBytes(new string('x', _random.Next(2000))),
            Properties = _random.Next(2) == 0 ? MqttProperties.Empty : new MqttProperties
            {
                MessageExpiryInterval = (uint)_random.Next(), PayloadFormatIndicator = (byte)_random.Next(2),
                ResponseTopic = _random.Next(2) == 0 ? "devices/other/commands/x" : null,
                UserProperties = [new UserProperty(Part(), new string('v', _random.Next(512)))],
            },
        };
    }

    private string Part() => TopicParts[_random.Next(TopicParts.Length)];
}
