using FsCheck;
using FsCheck.Fluent;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Mqtt.Tests.Codec;

namespace Rampart.Mqtt.Tests.Broker;

/// <summary>Whatever a client sends after CONNECT, the broker's connection loop ends cleanly: no exception escapes, nothing hangs.</summary>
public sealed class BrokerRobustnessTests
{
    private static readonly byte[][] Seeds =
    [
        Wire.Encode(new PublishPacket { Topic = "t/1", Payload = new byte[] { 1, 2 }, QoS = MqttQualityOfService.ExactlyOnce, PacketId = 3, Properties = new MqttProperties { TopicAlias = 1 } }, MqttProtocolVersion.V500),
        Wire.Encode(new SubscribePacket(2, [new TopicSubscription("t/#", MqttQualityOfService.AtLeastOnce)]), MqttProtocolVersion.V500),
        Wire.Encode(new PublishResponsePacket(MqttPacketType.PubRel, 3), MqttProtocolVersion.V500),
        Wire.Encode(new UnsubscribePacket(4, ["t/#"]), MqttProtocolVersion.V500),
        Wire.Encode(new DisconnectPacket(MqttReasonCode.DisconnectWithWillMessage) { Properties = new MqttProperties { SessionExpiryInterval = 5 } }, MqttProtocolVersion.V500),
    ];

    [Fact]
    public void Random_bytes_after_CONNECT_end_the_connection_without_an_exception() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes => SurvivesAsync(bytes).GetAwaiter().GetResult()));

    [Fact]
    public void Mutated_packets_after_CONNECT_end_the_connection_without_an_exception()
    {
        var mutation =
            from seed in Gen.Elements(Seeds)
            from index in Gen.Choose(0, seed.Length - 1)
            from value in ArbMap.Default.ArbFor<byte>().Generator
            from repeat in Gen.Choose(1, 3)
            select Enumerable.Repeat(Mutate(seed, index, value), repeat).SelectMany(b => b).ToArray();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), Prop.ForAll(mutation.ToArbitrary(), bytes => SurvivesAsync(bytes).GetAwaiter().GetResult()));
    }

    [Fact]
    public async Task A_malformed_packet_is_answered_with_DISCONNECT_0x81_and_the_connection_closed()
    {
        await using var broker = new BrokerHarness();
        var client = await broker.ConnectAsync("c");

        // SUBSCRIBE with fixed-header flags 0000 instead of the required 0010 (§3.8.1).
        await client.SendRawAsync(new byte[] { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x01, (byte)'a' });

        var closing = await client.WaitClosedAsync();
        Assert.Equal(MqttReasonCode.MalformedPacket, Assert.IsType<DisconnectPacket>(Assert.Single(closing)).ReasonCode);
        await broker.AllConnectionsEndAsync();
    }

    private static byte[] Mutate(byte[] seed, int index, byte value)
    {
        var copy = seed.ToArray();
        copy[index] = value;
        return copy;
    }

    private static async Task<bool> SurvivesAsync(byte[] bytes)
    {
        await using var broker = new BrokerHarness();
        var client = await broker.ConnectAsync("fuzz");
        await client.SendRawAsync(bytes);
        await client.DisposeAsync();

        // Throws (failing the property) if a loop faulted or did not end.
        await broker.AllConnectionsEndAsync();
        return true;
    }
}
