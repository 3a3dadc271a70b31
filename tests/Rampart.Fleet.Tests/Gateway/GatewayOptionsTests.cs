using Rampart.Fleet.Gateway;

namespace Rampart.Fleet.Tests.Gateway;

public sealed class GatewayOptionsTests
{
    [Fact]
    public void The_defaults_have_no_problem()
    {
        Assert.Empty(new GatewayOptions().Problems());
    }

    [Fact]
    public void Reconnect_limits_caps_and_windows_that_would_refuse_everything_or_nothing_are_named()
    {
        var problems = new GatewayOptions
        {
            DeviceConnectsPerMinute = 0, MaxConnections = 0, MaxTrackedIdentities = 0, LimitWindow = TimeSpan.Zero, RefusalsRecordedPerSecond = -1,
        }.Problems().ToArray();

        Assert.Contains(problems, p => p.Contains("DeviceConnectsPerMinute", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("MaxConnections", StringComparison.Ordinal) && p.Contains("LimitWindow", StringComparison.Ordinal));
    }

    [Fact]
    public void Assigned_client_ids_need_a_prefix_pattern_and_stay_within_it()
    {
        var exact = new ServiceOptions { ClientIds = "ingest-1", AssignClientIds = true };
        var prefix = new ServiceOptions { ClientIds = "ingest-*", AssignClientIds = true };

        Assert.Contains(new GatewayOptions { Services = { ["exact"] = exact } }.Problems(), p => p.Contains("AssignClientIds", StringComparison.Ordinal));
        Assert.Empty(new GatewayOptions { Services = { ["ingest"] = prefix } }.Problems());
        var assigned = prefix.NewClientId();
        Assert.Matches("^ingest-[0-9a-f]{16}$", assigned);
        Assert.True(prefix.ToPermissions("ingest").AllowsClientId(assigned));
        Assert.NotEqual(assigned, prefix.NewClientId());
    }
}
