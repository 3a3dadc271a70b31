using Rampart.Fleet.Permissions;

namespace Rampart.Fleet.Tests.Permissions;

public sealed class PermissionTemplateTests
{
    private readonly TopicPermissions _d1 = PermissionTemplate.Device.Bind("d1");

    [Theory]
    [InlineData("devices/d1/telemetry/temperature", true)]
    [InlineData("devices/d1/telemetry/a/b/c", true)]
    [InlineData("devices/d1/events/boot", true)]
    [InlineData("devices/d1/state", true)]
    [InlineData("devices/d1/commands/reboot", false)]
    [InlineData("devices/d2/telemetry/temperature", false)]
    [InlineData("devices/d10/telemetry/x", false)]
    [InlineData("devices/d1", false)]
    [InlineData("devices/+/telemetry/x", false)]
    [InlineData("$SYS/x", false)]
    public void A_device_publishes_only_inside_its_own_subtree(string topic, bool allowed) =>
        Assert.Equal(allowed, _d1.CanPublish(topic));

    [Theory]
    [InlineData("devices/d1/commands/#", true)]
    [InlineData("devices/d1/commands/reboot", true)]
    [InlineData("devices/d1/commands/+", true)]
    [InlineData("devices/d1/config", true)]
    [InlineData("$share/g/devices/d1/commands/#", true)]
    [InlineData("devices/d1/#", false)]
    [InlineData("devices/+/commands/#", false)]
    [InlineData("devices/d2/commands/#", false)]
    [InlineData("devices/d1/config/#", false)]
    [InlineData("devices/d1/telemetry/#", false)]
    [InlineData("#", false)]
    [InlineData("+/d1/commands/x", false)]
    public void A_device_subscribes_only_to_what_its_template_covers(string filter, bool allowed) =>
        Assert.Equal(allowed, _d1.CanSubscribe(filter));

    [Theory]
    [InlineData("d1/+")]
    [InlineData("#")]
    [InlineData("+")]
    [InlineData("d1/telemetry")]
    [InlineData("$SYS")]
    [InlineData("")]
    [InlineData("a b")]
    public void An_id_that_could_widen_a_template_is_refused_when_binding(string id) =>
        Assert.Throws<ArgumentException>(() => PermissionTemplate.Device.Bind(id));

    [Fact]
    public void Quarantine_leaves_only_the_state_topic()
    {
        var quarantined = PermissionTemplate.Quarantine.Bind("d1");

        Assert.True(quarantined.CanPublish("devices/d1/state"));
        Assert.False(quarantined.CanPublish("devices/d1/telemetry/t"));
        Assert.False(quarantined.CanSubscribe("devices/d1/commands/#"));
    }

    [Theory]
    [InlineData("#", "devices/+/telemetry/#", true)]
    [InlineData("#", "$SYS/#", false)]
    [InlineData("+/+/telemetry/#", "devices/d1/telemetry/t", true)]
    [InlineData("devices/+/telemetry/#", "devices/+/telemetry/#", true)]
    [InlineData("devices/+/telemetry/#", "devices/#", false)]
    [InlineData("devices/+/telemetry", "devices/d1/telemetry/x", false)]
    [InlineData("a/#", "a", true)]
    public void Filter_coverage_follows_the_matching_rules(string allowed, string requested, bool covered) =>
        Assert.Equal(covered, TopicFilters.Covers(allowed, requested));

    [Fact]
    public void A_service_may_be_broad_and_uses_only_its_client_ids()
    {
        var ingest = new ServicePermissions("ingest", "ingest-*", new PermissionTemplate([], ["$share/ingest/devices/+/telemetry/#", "devices/+/events/#"]));
        var bound = ingest.Topics.Bind("ingest");

        Assert.True(ingest.AllowsClientId("ingest-1"));
        Assert.False(ingest.AllowsClientId("ingest-"));
        Assert.False(ingest.AllowsClientId("other-1"));
        Assert.True(bound.CanSubscribe("$share/ingest/devices/+/telemetry/#"));
        Assert.True(bound.CanSubscribe("$share/ingest/devices/d1/telemetry/#"));
        Assert.False(bound.CanSubscribe("$share/other/devices/+/telemetry/#"));
        Assert.False(bound.CanSubscribe("devices/+/telemetry/#"));
        Assert.True(bound.CanSubscribe("devices/+/events/#"));
        Assert.False(bound.CanPublish("devices/d1/commands/x"));
        Assert.Null(ingest.Topics.Problem());
        Assert.NotNull(new PermissionTemplate(["a/#/b"], []).Problem());
    }
}
