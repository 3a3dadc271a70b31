using Rampart.Server.Updates;

namespace Rampart.Server.Tests.Updates;

public sealed class RolloutOptionsValidatorTests
{
    [Theory]
    [InlineData(0, 10, "Rampart:Rollouts:Tick must be above 0")]
    [InlineData(3600, 10, "Rampart:Rollouts:Tick must be above 0 and at most 00:01:00 (it is 01:00:00)")]
    [InlineData(1, 0, "Rampart:Rollouts:ReportQueue must be 1 to 10000000 (it is 0)")]
    public void A_bad_rollout_setting_fails_with_its_name(int tickSeconds, int queue, string expected)
    {
        var result = new RolloutOptionsValidator().Validate(null, new RolloutOptions { Tick = TimeSpan.FromSeconds(tickSeconds), ReportQueue = queue });

        Assert.Contains(result.Failures!, failure => failure.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void The_default_rollout_settings_are_valid() => Assert.True(new RolloutOptionsValidator().Validate(null, new RolloutOptions()).Succeeded);
}
