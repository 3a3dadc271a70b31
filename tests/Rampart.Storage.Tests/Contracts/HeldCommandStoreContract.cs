using Rampart.Adapters.FrontDoors;
using Rampart.Adapters.Links;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>Commands held for HTTPS/CoAP devices between links (issue 21, migration 0034), through <see cref="HeldCommands"/>, the same on every provider.</summary>
public abstract class HeldCommandStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    private static DeviceCommand Command(string name) => new($"devices/d/commands/{name}", name, new byte[] { 1, (byte)name[0] });

    private HeldCommands Held(AdapterOptions? options = null) => new(Stores.HeldCommands, options ?? new AdapterOptions(), Clock);

    [Fact]
    public async Task Held_commands_are_taken_once_oldest_first_with_their_payload_by_the_devices_next_link()
    {
        var held = Held();
        await held.HoldAsync("d", [Command("a"), Command("b")]);
        await held.HoldAsync("d", [Command("c")]);

        var taken = await held.TakeAsync("d");
        Assert.Equal(["a", "b", "c"], taken.Select(c => c.Name));
        Assert.Equal(new byte[] { 1, (byte)'b' }, taken[1].Payload.ToArray());
        Assert.Equal("devices/d/commands/c", taken[2].Topic);
        Assert.Empty(await held.TakeAsync("d"));
        Assert.Empty(await held.TakeAsync("other"));
    }

    [Fact]
    public async Task Commands_held_by_one_node_are_taken_by_another_node_on_the_same_database()
    {
        await Held().HoldAsync("d", [Command("a")]);

        // A second HeldCommands over the same store: what a restarted node, or another node of the cluster, builds.
        var other = new HeldCommands(Stores.HeldCommands, new AdapterOptions(), Clock);
        Assert.Equal(1, await other.CountForAsync("d"));
        Assert.Equal(["a"], (await other.TakeAsync("d")).Select(c => c.Name));
    }

    [Fact]
    public async Task A_device_keeps_at_most_its_bound_and_loses_the_oldest_first()
    {
        var held = Held(new AdapterOptions { HeldCommandsPerDevice = 2 });
        await held.HoldAsync("d", [Command("a"), Command("b"), Command("c")]);
        await held.HoldAsync("d", [Command("x")]);

        Assert.Equal(2, held.Dropped);
        Assert.Equal(["c", "x"], (await held.TakeAsync("d")).Select(c => c.Name));
    }

    [Fact]
    public async Task Devices_beyond_the_bound_are_not_kept_and_are_counted()
    {
        var held = Held(new AdapterOptions { HeldCommandDevices = 1 });
        await held.HoldAsync("first", [Command("a")]);
        await held.HoldAsync("second", [Command("b"), Command("c")]);
        await held.HoldAsync("first", [Command("d")]);

        Assert.Equal((1, 2L), (await held.DevicesAsync(), held.Dropped));
        Assert.Empty(await held.TakeAsync("second"));
        Assert.Equal(["a", "d"], (await held.TakeAsync("first")).Select(c => c.Name));
    }

    [Fact]
    public async Task A_held_command_expires_and_is_not_delivered_late()
    {
        var held = Held(new AdapterOptions { HeldCommandExpiry = TimeSpan.FromMinutes(10) });
        await held.HoldAsync("d", [Command("old")]);
        Clock.Advance(TimeSpan.FromMinutes(5));
        await held.HoldAsync("d", [Command("new")]);
        Clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(["new"], (await held.TakeAsync("d")).Select(c => c.Name));
        Assert.Equal(1, held.Expired);

        await held.HoldAsync("e", [Command("x")]);
        Clock.Advance(TimeSpan.FromMinutes(11));
        await held.SweepAsync();
        Assert.Equal((0, 0, 2L), (await held.DevicesAsync(), await held.CountForAsync("e"), held.Expired));
    }
}

public sealed class SqliteHeldCommandStoreTests : HeldCommandStoreContract<SqliteProvider>;

public sealed class PostgresHeldCommandStoreTests : HeldCommandStoreContract<PostgresProvider>;
