using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Testing;

namespace Rampart.Mqtt.Tests.Broker;

/// <summary>
/// Session takeover across nodes (5.0 §3.1.4 step 3) is announced over the fabric asynchronously: an
/// announcement of a connect elsewhere that came before the client's connect here is stale and must
/// not cut off the newer session (a device that moved back would otherwise be thrown out by its own past).
/// </summary>
public sealed class BrokerTakeoverAnnouncementTests
{
    [Fact]
    public async Task An_announcement_of_a_connect_elsewhere_before_the_session_attached_here_leaves_it_connected()
    {
        var time = new ManualTimeProvider();
        await using var broker = new BrokerHarness(time: time);
        var client = await broker.ConnectAsync("d1");

        Assert.False(broker.Broker.CloseTakenOver("d1", "client:d1", time.GetUtcNow() - TimeSpan.FromMilliseconds(1)));
        Assert.True(broker.Broker.IsConnected("d1"));
        Assert.True(await client.NothingWithinAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task An_announcement_of_a_later_connect_elsewhere_closes_the_session_here_as_taken_over()
    {
        var time = new ManualTimeProvider();
        await using var broker = new BrokerHarness(time: time);
        var client = await broker.ConnectAsync("d1");
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(broker.Broker.CloseTakenOver("d1", "client:d1", time.GetUtcNow()));
        var closing = await client.WaitClosedAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(MqttReasonCode.SessionTakenOver, Assert.IsType<DisconnectPacket>(Assert.Single(closing)).ReasonCode);
        Assert.False(broker.Broker.IsConnected("d1"));
    }
}
