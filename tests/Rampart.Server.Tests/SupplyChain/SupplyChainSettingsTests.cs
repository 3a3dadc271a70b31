using Microsoft.Extensions.Configuration;
using Rampart.Server.Hosting;
using Rampart.Server.SupplyChain;

namespace Rampart.Server.Tests.SupplyChain;

public sealed class SupplyChainSettingsTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void A_zero_sweep_interval_a_negative_timeout_and_an_unreadable_value_stop_the_node_naming_the_setting()
    {
        var error = Assert.Throws<NodeStartupException>(() => SupplyChainServiceCollectionExtensions.Check(Settings(
            ("Rampart:SupplyChain:AttestationSweepInterval", "00:00:00"), ("Rampart:SupplyChain:AttestationTimeout", "-00:00:01"))));
        Assert.Contains("Rampart:SupplyChain:AttestationSweepInterval must be more than zero", error.Message, StringComparison.Ordinal);
        Assert.Contains("Rampart:SupplyChain:AttestationTimeout must be more than zero", error.Message, StringComparison.Ordinal);

        var unreadable = Assert.Throws<NodeStartupException>(() => SupplyChainServiceCollectionExtensions.Check(Settings(("Rampart:SupplyChain:AlertUnanswered", "perhaps"))));
        Assert.Contains("AlertUnanswered", unreadable.Message, StringComparison.Ordinal);

        Assert.Equal(TimeSpan.FromSeconds(15), SupplyChainServiceCollectionExtensions.Check(Settings()).AttestationSweepInterval);
    }
}
