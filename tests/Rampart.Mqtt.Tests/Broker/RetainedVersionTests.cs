using System.Text;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Testing;

namespace Rampart.Mqtt.Tests.Broker;

/// <summary>
/// Two nodes setting one retained topic at the same moment each hear the other's message after their
/// own (issue 15: retained messages are cluster-wide). Each node here is a <see cref="RetainedMessages"/>
/// with its own clock; a copy "crosses" by being handed to the other as another node's change, in
/// whatever order the fabric would deliver it. Every node must end with the same value.
/// </summary>
public sealed class RetainedVersionTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Two_nodes_that_set_one_topic_at_once_keep_the_later_value_whichever_copy_arrives_last()
    {
        var (a, b) = Nodes(skew: TimeSpan.FromSeconds(10)); // a's clock is ten seconds ahead of b's
        var fromA = Local(a, "state/x", "set on a", sender: "dev-a");
        var fromB = Local(b, "state/x", "set on b", sender: "dev-b");

        // Neither had heard the other's when it set its own; now the copies cross.
        Assert.True(b.Set(Copy(fromA), tracked: false));
        Assert.True(a.Set(Copy(fromB), tracked: false));

        Assert.Equal("set on a", Value(a, "state/x"));
        Assert.Equal("set on a", Value(b, "state/x"));
    }

    [Fact]
    public void A_value_set_after_seeing_another_nodes_value_supersedes_it_even_on_a_clock_that_is_behind()
    {
        var (a, b) = Nodes(skew: TimeSpan.FromSeconds(10));
        var fromA = Local(a, "state/x", "first, on a", sender: "dev-a");
        Assert.True(b.Set(Copy(fromA), tracked: false));

        // b's clock reads ten seconds earlier than a's stamp; b's later set must still win everywhere.
        var fromB = Local(b, "state/x", "then, on b", sender: "dev-b");
        Assert.True(fromB.RetainedAt > fromA.RetainedAt);
        Assert.True(a.Set(Copy(fromB), tracked: false));

        Assert.Equal("then, on b", Value(a, "state/x"));
        Assert.Equal("then, on b", Value(b, "state/x"));
    }

    [Fact]
    public void An_older_value_arriving_after_a_clearing_does_not_come_back()
    {
        var (a, b) = Nodes(skew: TimeSpan.Zero);
        var set = Local(b, "state/x", "old", sender: "dev-b");
        var clearing = Local(a, "state/x", "", sender: "dev-a");
        Assert.True(clearing.RetainedAt >= set.RetainedAt);

        // b heard the clearing first... then a hears b's older set late.
        Assert.True(b.Set(Copy(clearing), tracked: false));
        Assert.True(a.Set(Copy(set), tracked: false));

        Assert.Null(Value(a, "state/x"));
        Assert.Null(Value(b, "state/x"));
    }

    [Fact]
    public void The_same_instant_on_two_nodes_is_ordered_the_same_way_on_both()
    {
        var (a, b) = Nodes(skew: TimeSpan.Zero);
        var fromA = Local(a, "state/x", "alpha", sender: "dev-a");
        var fromB = Local(b, "state/x", "bravo", sender: "dev-b");
        Assert.Equal(fromA.RetainedAt, fromB.RetainedAt);

        Assert.True(b.Set(Copy(fromA), tracked: false));
        Assert.True(a.Set(Copy(fromB), tracked: false));

        Assert.Equal(Value(a, "state/x"), Value(b, "state/x"));
        Assert.Equal("bravo", Value(a, "state/x")); // "dev-b" orders after "dev-a"
    }

    [Fact]
    public void A_copy_without_a_version_from_a_node_of_an_earlier_release_is_taken_as_before()
    {
        var (a, _) = Nodes(skew: TimeSpan.Zero);
        Local(a, "state/x", "local", sender: "dev-a");

        Assert.True(a.Set(Message("state/x", "unversioned", "dev-z"), tracked: false));

        Assert.Equal("unversioned", Value(a, "state/x"));
    }

    [Fact]
    public void The_store_keeps_the_version_the_nodes_compare()
    {
        var time = new ManualTimeProvider(Start);
        var node = new RetainedMessages(100, time);
        node.Track();
        var set = Local(node, "state/x", "v", sender: "dev-a");
        time.Advance(TimeSpan.FromSeconds(5));

        var change = Assert.Single(node.TakeChanges());
        Assert.Equal(set.RetainedAt, change.At);
    }

    [Fact]
    public void A_stored_value_older_than_a_clearing_heard_here_is_not_restored()
    {
        var (a, b) = Nodes(skew: TimeSpan.Zero);
        var old = Local(b, "state/x", "old", sender: "dev-b");
        var clearing = Local(b, "state/x", "", sender: "dev-b");
        Assert.True(a.Set(Copy(clearing), tracked: false));

        // A catch-up read the store before b wrote its tombstone: the row still holds the old value.
        a.BeginRestore();
        a.Restore([Copy(old)], Start, catchUp: true);

        Assert.Null(Value(a, "state/x"));
    }

    private static (RetainedMessages A, RetainedMessages B) Nodes(TimeSpan skew) =>
        (new RetainedMessages(100, new ManualTimeProvider(Start + skew)), new RetainedMessages(100, new ManualTimeProvider(Start)));

    // A PUBLISH taken on this node: stamped by Set as the routing call does.
    private static MqttMessage Local(RetainedMessages node, string topic, string payload, string sender)
    {
        var message = Message(topic, payload, sender);
        Assert.True(node.Set(message));
        return message;
    }

    // The copy another node decodes from the fabric: the same message, the same version.
    private static MqttMessage Copy(MqttMessage message)
    {
        var copy = Message(message.Topic, Encoding.UTF8.GetString(message.Payload.Span), message.SenderClientId);
        return message.RetainedAt is { } at ? copy.StampRetainedAt(at) : copy;
    }

    private static MqttMessage Message(string topic, string payload, string sender) =>
        new(topic, Encoding.UTF8.GetBytes(payload), MqttQualityOfService.AtMostOnce, retain: true, MqttProperties.Empty, sender, expiresAt: null, publisher: sender);

    private static string? Value(RetainedMessages node, string topic) =>
        node.Matching(topic, Start) is [var held] ? Encoding.UTF8.GetString(held.Payload.Span) : null;
}
