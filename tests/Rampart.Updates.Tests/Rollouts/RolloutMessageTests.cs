using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Rampart.Updates.Rollouts;

namespace Rampart.Updates.Tests.Rollouts;

public sealed class RolloutMessageTests
{
    [Fact]
    public void A_selector_names_model_site_zone_and_tags_and_all_must_hold()
    {
        var selector = DeviceSelector.Parse("model=meter, site=plant-1,tag=critical,tag=ot");

        Assert.True(selector.Matches("meter", "plant-1", "z", ["ot", "critical", "x"]));
        Assert.False(selector.Matches("meter", "plant-1", "z", ["critical"]));
        Assert.False(selector.Matches("pump", "plant-1", "z", ["ot", "critical"]));
        Assert.Equal("model=meter,site=plant-1,tag=critical,tag=ot", selector.ToString());
    }

    [Theory]
    [InlineData("colour=red", "unknown selector key 'colour'")]
    [InlineData("model", "is not key=value")]
    [InlineData("model=", "is not key=value")]
    [InlineData("site=a,site=b", "'site' is given twice")]
    [InlineData("", "a selector is 1 to")]
    public void A_malformed_selector_is_refused_with_the_reason(string text, string reason) =>
        Assert.Contains(reason, Assert.Throws<FormatException>(() => DeviceSelector.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void Directives_and_reports_round_trip()
    {
        var directive = new FirmwareDirective(7, "meter-2.0.0", "2.0.0", 4, "meter-2.0.0.bin", "meter-2.0.0.manifest.json");
        var report = new UpdateReport("1.0.0", 3, 7, RolloutDeviceState.RolledBack, "health check failed");

        Assert.Equal(directive, FirmwareDirective.Parse(directive.ToJson()));
        Assert.Equal(report, UpdateReport.Parse(report.ToJson()));
        Assert.Equal(new UpdateReport("1.0.0", 3), UpdateReport.Parse(new UpdateReport("1.0.0", 3).ToJson()));
    }

    [Fact]
    public void A_withdrawal_names_its_rollout_and_is_not_a_directive()
    {
        var withdrawal = FirmwareDirective.Withdrawal(12);
        var directive = new FirmwareDirective(12, "r", "1.0.0", 1, "r.bin", "r.manifest.json").ToJson();

        Assert.Equal(12, FirmwareDirective.ParseWithdrawal(withdrawal));
        Assert.Null(FirmwareDirective.Parse(withdrawal));
        Assert.Null(FirmwareDirective.ParseWithdrawal(directive));
    }

    [Theory]
    [InlineData("""{"firmwareVersion": "1.0.0", "bootCounter": 3}""")]
    [InlineData("""{"update": {"installed": {"version": "1.0.0", "svn": -1}}}""")]
    [InlineData("""{"update": {"installed": {"version": "1.0.0"}}}""")]
    [InlineData("""{"update": []}""")]
    [InlineData("[1, 2]")]
    [InlineData("\"text\"")]
    [InlineData("{")]
    public void A_posture_report_or_a_malformed_update_report_is_not_an_update_report_nor_a_directive(string json)
    {
        Assert.Null(UpdateReport.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Null(FirmwareDirective.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void An_unknown_state_is_dropped_and_only_a_report_with_rollout_and_state_moves_a_device()
    {
        var unknown = UpdateReport.Parse("""{"update": {"installed": {"version": "1.0.0", "svn": 1}, "rollout": 3, "state": "hacked"}}"""u8);
        var numeric = UpdateReport.Parse("""{"update": {"installed": {"version": "1.0.0", "svn": 1}, "rollout": 3, "state": "4"}}"""u8);

        Assert.Equal((null, null), (unknown!.Rollout, unknown.State));
        Assert.Null(numeric!.State);
    }

    [Fact]
    public void Random_bytes_never_throw_from_either_parser() =>
        Prop.ForAll<byte[]>(bytes =>
        {
            FirmwareDirective.Parse(bytes);
            UpdateReport.Parse(bytes);
            return true;
        }).QuickCheckThrowOnFailure();
}
