using Rampart.Fleet.Inventory;
using Rampart.Server.Tests.EndToEnd;

namespace Rampart.Server.Tests.Adapters;

/// <summary><c>rampart adapter psk issue</c> and <c>rampart adapter legacy register|list</c> against a running node's admin socket.</summary>
public sealed class AdapterCliTests(AdapterNode fixture) : IClassFixture<AdapterNode>
{
    [Fact]
    public async Task The_cli_issues_a_psk_once_registers_a_legacy_device_and_lists_it_as_an_open_finding()
    {
        var data = fixture.Node.Node.Node.DataDirectory;
        var inventory = fixture.Node.Get<InventoryService>();
        await inventory.AddAsync(new NewDevice("cli-coap"), "test", CancellationToken.None);
        await inventory.AddAsync(new NewDevice("cli-legacy"), "test", CancellationToken.None);

        var (psk, pskOutput) = await RampartCli.RunAsync("adapter", "psk", "issue", "cli-coap", "--data", data);
        var (legacy, legacyOutput) = await RampartCli.RunAsync("adapter", "legacy", "register", "cli-legacy", "--reason", "no TLS stack", "--data", data);
        var (list, listOutput) = await RampartCli.RunAsync("adapter", "legacy", "list", "--data", data);
        var (bad, badOutput) = await RampartCli.RunAsync("adapter", "psk", "issue", "..", "--data", data);

        Assert.True(psk == 0, pskOutput);
        Assert.Matches(@"(?m)^[A-Za-z0-9_-]{43}$", pskOutput);
        Assert.True(legacy == 0, legacyOutput);
        Assert.True(list == 0, listOutput);
        Assert.Contains("cli-legacy\tOPEN", listOutput, StringComparison.Ordinal);
        Assert.Equal(2, bad);
        Assert.Contains("is not a device id", badOutput, StringComparison.Ordinal);
        Assert.Equal(DeviceState.Active, (await inventory.GetAsync("cli-coap", CancellationToken.None)).State);
    }
}
