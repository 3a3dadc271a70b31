using Rampart.Fleet.Gateway;
using Rampart.Fleet.Permissions;

namespace Rampart.Fleet.Tests.Gateway;

public sealed class ServiceClientIdTests
{
    private static ServicePermissions Service(string name, string pattern) => new(name, pattern, new PermissionTemplate([], []));

    [Theory]
    [InlineData("ingest-*", "ingest-a*", true)]
    [InlineData("ingest-*", "ingest-1", true)]
    [InlineData("ops", "ops", true)]
    [InlineData("ingest-*", "ingest-", false)]
    [InlineData("ingest-*", "billing-*", false)]
    [InlineData("ops", "ops-1", false)]
    public void Two_services_overlap_when_some_client_id_is_allowed_by_both(string first, string second, bool overlap)
    {
        Assert.Equal(overlap, Service("a", first).Overlaps(Service("b", second)));
        Assert.Equal(overlap, Service("b", second).Overlaps(Service("a", first)));
    }

    [Fact]
    public void Overlapping_service_client_ids_are_a_settings_problem()
    {
        var options = new GatewayOptions
        {
            Services =
            {
                ["ingest"] = new ServiceOptions { ClientIds = "ingest-*" },
                ["ingest-audit"] = new ServiceOptions { ClientIds = "ingest-audit-*" },
            },
        };

        Assert.Contains(options.Problems(), problem => problem.Contains("overlap", StringComparison.Ordinal));
    }

    [Fact]
    public void A_device_id_a_service_pattern_matches_is_reserved()
    {
        var ids = new ServiceClientIds(new Dictionary<string, ServicePermissions> { ["ingest"] = Service("ingest", "ingest-*") });

        Assert.Contains("service ingest", ids.Reserved("ingest-1"), StringComparison.Ordinal);
        Assert.Null(ids.Reserved("meter-1"));
        Assert.Null(ids.Reserved("ingest-"));
    }
}
