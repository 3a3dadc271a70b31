using Rampart.Adapters.FrontDoors;

namespace Rampart.Adapters.Tests.FrontDoors;

/// <summary>Front-door resource names become the device's own topics, never wider ones.</summary>
public sealed class DeviceTopicsTests
{
    [Theory]
    [InlineData("temp", "devices/d1/telemetry/temp")]
    [InlineData("power/l1", "devices/d1/telemetry/power/l1")]
    public void A_telemetry_name_maps_under_the_devices_telemetry_topic(string suffix, string topic) =>
        Assert.Equal((topic, null), DeviceTopics.Telemetry("d1", suffix, 128));

    [Theory]
    [InlineData("", "required")]
    [InlineData("+", "without '+', '#'")]
    [InlineData("a/#", "without '+', '#'")]
    [InlineData("a//b", "non-empty")]
    [InlineData("../../d2/telemetry/x", "not '.' or '..'")]
    [InlineData("a\u0000b", "control characters")]
    public void A_name_that_could_widen_or_escape_the_topic_is_refused(string suffix, string reason)
    {
        var (topic, problem) = DeviceTopics.Telemetry("d1", suffix, 128);
        Assert.Null(topic);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_over_the_length_limit_and_an_invalid_device_id_are_refused()
    {
        Assert.Contains("at most 8", DeviceTopics.Telemetry("d1", "123456789", 8).Problem, StringComparison.Ordinal);
        Assert.Contains("not a device id", DeviceTopics.Telemetry("a/b", "t", 8).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Legacy_messages_carry_the_legacy_mark_and_others_only_their_door()
    {
        Assert.Contains(Marks.For(FrontDoorNames.Legacy, legacy: true), p => p.Name == Marks.Legacy && p.Value == "true");
        Assert.DoesNotContain(Marks.For(FrontDoorNames.Coap, legacy: false), p => p.Name == Marks.Legacy);
        Assert.Equal(FrontDoorNames.Coap, Marks.For(FrontDoorNames.Coap, legacy: false).Single().Value);
    }
}
