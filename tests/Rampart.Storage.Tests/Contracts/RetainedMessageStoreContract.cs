using System.Text;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Broker.Persistence;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>Retained messages (migration 0030): the later set wins across writers, a clearing is not undone by an older value, expiry and tombstone clean-up.</summary>
public abstract class RetainedMessageStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private IRetainedMessageStore Retained => Stores.RetainedMessages;

    [Fact]
    public async Task A_retained_message_is_stored_in_its_codec_form_and_read_back_with_its_properties()
    {
        var message = Message("devices/d1/state", "on", expiresAt: Now.AddHours(1));
        await Retained.SaveAsync([Stored(message, Now)], CancellationToken.None);

        var row = Assert.Single(await Retained.LoadAsync(Now, 100, CancellationToken.None));
        var back = RetainedMessageCodec.Decode(row.Message!, 256 * 1024, out var problem);
        Assert.Null(problem);
        Assert.Equal(("devices/d1/state", "on", true, "d1", Now.AddHours(1)), (back!.Topic, Encoding.UTF8.GetString(back.Payload.Span), back.Retain, back.SenderClientId, back.ExpiresAt));
    }

    [Fact]
    public async Task Of_two_writers_on_one_topic_the_later_set_wins_whatever_order_they_write_in()
    {
        await Retained.SaveAsync([Stored(Message("t/a", "newer"), Now.AddSeconds(2))], CancellationToken.None);
        await Retained.SaveAsync([Stored(Message("t/a", "older"), Now.AddSeconds(1))], CancellationToken.None);

        Assert.Equal("newer", Payload(Assert.Single(await Retained.LoadAsync(Now, 100, CancellationToken.None))));
    }

    [Fact]
    public async Task A_clearing_hides_the_topic_and_an_older_value_written_after_it_does_not_come_back()
    {
        await Retained.SaveAsync([Stored(Message("t/a", "v1"), Now), Stored(Message("t/b", "kept"), Now)], CancellationToken.None);
        await Retained.SaveAsync([new StoredRetained("t/a", null, null, Now.AddSeconds(5))], CancellationToken.None);
        await Retained.SaveAsync([Stored(Message("t/a", "late-but-older"), Now.AddSeconds(3))], CancellationToken.None);

        Assert.Equal(["t/b"], (await Retained.LoadAsync(Now, 100, CancellationToken.None)).Select(r => r.Topic));

        // A newer set after the clearing is a value again.
        await Retained.SaveAsync([Stored(Message("t/a", "v2"), Now.AddSeconds(6))], CancellationToken.None);
        Assert.Equal(["t/a", "t/b"], (await Retained.LoadAsync(Now, 100, CancellationToken.None)).Select(r => r.Topic).Order());
    }

    [Fact]
    public async Task Expired_messages_are_not_loaded_and_are_deleted_with_old_tombstones_only()
    {
        await Retained.SaveAsync(
        [
            Stored(Message("t/expiring", "x", expiresAt: Now.AddMinutes(1)), Now),
            Stored(Message("t/forever", "y"), Now),
            new StoredRetained("t/cleared-long-ago", null, null, Now.AddDays(-2)),
            new StoredRetained("t/cleared-now", null, null, Now),
        ], CancellationToken.None);

        Assert.Equal(["t/forever"], (await Retained.LoadAsync(Now.AddMinutes(2), 100, CancellationToken.None)).Select(r => r.Topic));
        Assert.Equal(2, await Retained.DeleteExpiredAsync(Now.AddMinutes(2), Now.AddDays(-1), CancellationToken.None));

        // The recent tombstone stays: an older value still cannot come back.
        await Retained.SaveAsync([Stored(Message("t/cleared-now", "older"), Now.AddSeconds(-1))], CancellationToken.None);
        Assert.Equal(["t/forever"], (await Retained.LoadAsync(Now.AddMinutes(2), 100, CancellationToken.None)).Select(r => r.Topic));
    }

    [Fact]
    public async Task A_load_is_bounded_and_keeps_the_newest_and_long_topics_are_stored()
    {
        var longTopic = "t/" + new string('x', 4000);
        await Retained.SaveAsync([.. Enumerable.Range(0, 10).Select(i => Stored(Message($"t/{i}", "v"), Now.AddSeconds(i))), Stored(Message(longTopic, "long"), Now.AddSeconds(20))],
            CancellationToken.None);

        var loaded = await Retained.LoadAsync(Now, 3, CancellationToken.None);
        Assert.Equal([longTopic, "t/9", "t/8"], loaded.Select(r => r.Topic));
    }

    private static MqttMessage Message(string topic, string payload, DateTimeOffset? expiresAt = null) =>
        new(topic, Encoding.UTF8.GetBytes(payload), MqttQualityOfService.AtLeastOnce, retain: true, MqttProperties.Empty, senderClientId: "d1", expiresAt: expiresAt, publisher: "device:d1");

    private static StoredRetained Stored(MqttMessage message, DateTimeOffset at) => new(message.Topic, RetainedMessageCodec.Encode(message), message.ExpiresAt, at);

    private static string Payload(StoredRetained row) => Encoding.UTF8.GetString(RetainedMessageCodec.Decode(row.Message!, 256 * 1024, out _)!.Payload.Span);
}

public sealed class SqliteRetainedMessageStoreTests : RetainedMessageStoreContract<SqliteProvider>;

public sealed class PostgresRetainedMessageStoreTests : RetainedMessageStoreContract<PostgresProvider>;
