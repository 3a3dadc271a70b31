using Rampart.Adapters.FrontDoors;
using Rampart.Adapters.Links;
using Rampart.Testing;

namespace Rampart.Adapters.Tests.Links;

public sealed class HeldCommandsTests
{
    private static DeviceCommand Command(string name) => new($"devices/d/commands/{name}", name, new byte[] { 1 });

    [Fact]
    public void Held_commands_are_taken_once_oldest_first_by_the_devices_next_link()
    {
        var held = new HeldCommands(new AdapterOptions(), new ManualTimeProvider());
        held.Hold("d", [Command("a"), Command("b")]);
        held.Hold("d", [Command("c")]);

        Assert.Equal(["a", "b", "c"], held.Take("d").Select(c => c.Name));
        Assert.Empty(held.Take("d"));
        Assert.Empty(held.Take("other"));
    }

    [Fact]
    public void A_device_keeps_at_most_its_bound_and_loses_the_oldest_first()
    {
        var held = new HeldCommands(new AdapterOptions { HeldCommandsPerDevice = 2 }, new ManualTimeProvider());
        held.Hold("d", [Command("a"), Command("b"), Command("c")]);

        Assert.Equal(1, held.Dropped);
        Assert.Equal(["b", "c"], held.Take("d").Select(c => c.Name));
    }

    [Fact]
    public void Devices_beyond_the_bound_are_not_kept_and_are_counted()
    {
        var held = new HeldCommands(new AdapterOptions { HeldCommandDevices = 1 }, new ManualTimeProvider());
        held.Hold("first", [Command("a")]);
        held.Hold("second", [Command("b"), Command("c")]);

        Assert.Equal((1, 2L), (held.Devices, held.Dropped));
        Assert.Empty(held.Take("second"));
        Assert.Single(held.Take("first"));
    }

    [Fact]
    public void A_held_command_expires_and_is_not_delivered_late()
    {
        var time = new ManualTimeProvider();
        var held = new HeldCommands(new AdapterOptions { HeldCommandExpiry = TimeSpan.FromMinutes(10) }, time);
        held.Hold("d", [Command("old")]);
        time.Advance(TimeSpan.FromMinutes(5));
        held.Hold("d", [Command("new")]);
        time.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(["new"], held.Take("d").Select(c => c.Name));
        Assert.Equal(1, held.Expired);

        held.Hold("e", [Command("x")]);
        time.Advance(TimeSpan.FromMinutes(11));
        held.Sweep();
        Assert.Equal((0, 0), (held.Devices, held.CountFor("e")));
    }
}
