using System.Text;
using Npgsql;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Testing;

namespace Rampart.Server.Tests.Cluster;

/// <summary>
/// Issue 15 item 3: retained messages are cluster-wide, also for a node that was not running when they
/// were set — it reads them from the cluster's PostgreSQL at start (core NATS alone would have lost them).
/// </summary>
public sealed class ClusterRetainedTests
{
    [Fact]
    public async Task A_node_that_was_down_while_a_message_was_retained_on_another_serves_it_to_a_subscriber_after_it_starts()
    {
        await using var cluster = await ClusterOfThree.StartAsync();
        var device = await cluster.First.EnrollDeviceAsync("dial-1");
        var service = await cluster.First.ServiceAsync("ingest");
        await cluster.StopAsync(2);

        // 1. Node C is down; a service on A retains the device's configuration, and later clears another topic.
        await using (var backend = await cluster.ConnectAsync(0, service, "ingest-1"))
        {
            await Retain(backend, 1, "devices/dial-1/commands/config", "mode=eco");
            await Retain(backend, 2, "devices/dial-1/commands/schedule", "06:00");
            await Retain(backend, 3, "devices/dial-1/commands/schedule", "");
        }

        await Eventually.HoldsAsync(async () => await StoredAsync(cluster.Database) == "config=mode=eco;schedule=(cleared)",
            "node A wrote the retained topics to the cluster's store", ClusterOfThree.Patience);

        // 2. Node C starts again: the device connecting there gets the retained configuration at SUBSCRIBE, and not the cleared topic.
        await cluster.RestartAsync(2);
        await using var dial = await cluster.ConnectAsync(2, device, device.Id);
        await dial.SubscribeAsync(1, new TopicSubscription("devices/dial-1/commands/#", MqttQualityOfService.AtLeastOnce));
        var retained = Assert.IsType<PublishPacket>(await dial.ReceiveAsync(ClusterOfThree.Patience));
        Assert.Equal(("devices/dial-1/commands/config", "mode=eco", true), (retained.Topic, Encoding.UTF8.GetString(retained.Payload.Span), retained.Retain));
        if (retained.QoS == MqttQualityOfService.AtLeastOnce)
        {
            await dial.SendAsync(new PublishResponsePacket(MqttPacketType.PubAck, retained.PacketId));
        }

        Assert.Null(await ClusterOfThree.TryReceiveAsync(dial, TimeSpan.FromSeconds(2)));
    }

    private static async Task Retain(Rampart.Attack.Probes.MqttProbeClient client, ushort id, string topic, string payload)
    {
        await client.SendAsync(new PublishPacket { Topic = topic, QoS = MqttQualityOfService.AtLeastOnce, PacketId = id, Retain = true, Payload = Encoding.UTF8.GetBytes(payload) });
        Assert.IsType<PublishResponsePacket>(await client.ReceiveAsync(ClusterOfThree.Patience));
    }

    // What mqtt_retained holds, by last topic level: the value's length-prefixed payload is not parsed here, only whether there is one.
    private static async Task<string> StoredAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT topic, message FROM mqtt_retained ORDER BY topic", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var message = reader.IsDBNull(1) ? null : Rampart.Mqtt.Broker.Persistence.RetainedMessageCodec.Decode((byte[])reader.GetValue(1), 256 * 1024, out _);
            rows.Add(reader.GetString(0).Split('/')[^1] + "=" + (message is null ? "(cleared)" : Encoding.UTF8.GetString(message.Payload.Span)));
        }

        return string.Join(";", rows);
    }
}
