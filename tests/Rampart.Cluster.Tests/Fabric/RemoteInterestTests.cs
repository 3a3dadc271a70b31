using Rampart.Cluster.Fabric;
using Rampart.Testing;

namespace Rampart.Cluster.Tests.Fabric;

/// <summary>What a node believes the other nodes want, from their announcements, on a manual clock.</summary>
public sealed class RemoteInterestTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public void Every_topic_is_wanted_during_the_warm_up_and_then_only_what_some_node_announced()
    {
        var interest = new RemoteInterest(_clock, TimeSpan.FromSeconds(5));
        interest.Untrusted();
        Assert.True(interest.Warming);
        _clock.Advance(TimeSpan.FromSeconds(6));
        Assert.False(interest.Warming);

        Assert.True(interest.Apply("b", "b-1", Interval, "devices/+/telemetry/#", added: true, maximum: 10));
        Assert.True(interest.Apply("c", "c-1", Interval, "$share/ingest/devices/+/state", added: true, maximum: 10));
        Assert.True(interest.Wants("devices/d1/telemetry/t"));
        Assert.True(interest.Wants("devices/d1/state"));
        Assert.False(interest.Wants("devices/d1/commands/reboot"));

        interest.Apply("b", "b-1", Interval, "devices/+/telemetry/#", added: false, maximum: 10);
        Assert.False(interest.Wants("devices/d1/telemetry/t"));
    }

    [Fact]
    public void A_late_leave_of_a_node_that_restarted_under_the_same_id_does_not_wipe_what_its_new_start_announced()
    {
        var interest = new RemoteInterest(_clock, TimeSpan.Zero);
        interest.Replace("b", "old", Interval, ["a/#"]);
        interest.Replace("b", "new", Interval, ["b/#"]);

        // The new start begins from its own set: the old one's filters are gone with it.
        Assert.False(interest.Wants("a/x"));
        Assert.True(interest.Wants("b/x"));

        interest.Forget("b", "old");
        Assert.True(interest.Wants("b/x"));
        interest.Forget("b", "new");
        Assert.False(interest.Wants("b/x"));
        Assert.Equal(0, interest.Count);
    }

    [Fact]
    public void A_node_silent_for_three_of_its_own_intervals_is_forgotten_and_one_that_announced_lately_is_kept()
    {
        var interest = new RemoteInterest(_clock, TimeSpan.Zero);
        interest.Replace("slow", "s", TimeSpan.FromMinutes(5), ["slow/#"]);
        interest.Replace("fast", "f", TimeSpan.FromSeconds(10), ["fast/#"]);

        _clock.Advance(TimeSpan.FromSeconds(31));
        interest.Expire("self");
        Assert.False(interest.Wants("fast/x"));
        Assert.True(interest.Wants("slow/x"));

        _clock.Advance(TimeSpan.FromMinutes(15));
        interest.Replace("slow", "s", TimeSpan.FromMinutes(5), ["slow/#"]);
        interest.Expire("self");
        Assert.True(interest.Wants("slow/x"));
    }

    [Fact]
    public void A_node_cannot_make_the_others_hold_more_filters_than_the_bound()
    {
        var interest = new RemoteInterest(_clock, TimeSpan.Zero);
        Assert.True(interest.Apply("b", "b-1", Interval, "one", added: true, maximum: 2));
        Assert.True(interest.Apply("b", "b-1", Interval, "two", added: true, maximum: 2));
        Assert.False(interest.Apply("b", "b-1", Interval, "three", added: true, maximum: 2));
        Assert.Equal(2, interest.Count);
        Assert.False(interest.Wants("three"));
    }

    [Fact]
    public void The_generation_moves_with_every_change_so_a_cached_answer_is_never_kept_past_one()
    {
        var interest = new RemoteInterest(_clock, TimeSpan.Zero);
        var before = interest.Generation;
        interest.Apply("b", "b-1", Interval, "x/#", added: true, maximum: 10);
        Assert.NotEqual(before, interest.Generation);
        before = interest.Generation;
        interest.Replace("b", "b-1", Interval, []);
        Assert.NotEqual(before, interest.Generation);
        Assert.False(interest.Wants("x/y"));
    }
}
