using Rampart.Updates.Rollouts;

namespace Rampart.Updates.Tests.Rollouts;

public sealed class RolloutPlanTests
{
    [Theory]
    [InlineData(100, 5, new[] { 5, 10, 50, 100 })]
    [InlineData(3, 5, new[] { 3 })]
    [InlineData(12, 1, new[] { 1, 2, 6, 12 })]
    [InlineData(1, 1, new[] { 1 })]
    public void Waves_are_the_canary_then_each_steps_share_and_never_empty(int total, int canary, int[] expected) =>
        Assert.Equal(expected, RolloutPlan.WaveEnds(total, new RolloutPolicy { CanaryCount = canary, Steps = [10, 50, 100] }));

    [Fact]
    public void A_canary_percentage_rounds_up_to_at_least_one_device()
    {
        Assert.Equal([10, 1000], RolloutPlan.WaveEnds(1000, new RolloutPolicy { CanaryPercent = 1, Steps = [100] }));
        Assert.Equal([1, 40], RolloutPlan.WaveEnds(40, new RolloutPolicy { CanaryPercent = 0.1, Steps = [100] }));
    }

    [Fact]
    public void Every_device_is_planned_once_in_waves_of_the_planned_sizes_and_the_same_seed_gives_the_same_plan()
    {
        var ids = Enumerable.Range(0, 1000).Select(i => $"d-{i:D4}").ToArray();
        var policy = new RolloutPolicy { CanaryCount = 7, Steps = [25, 100] };

        var plan = RolloutPlan.Assign(ids, policy, seed: 42);

        Assert.Equal(ids.Order(), plan.Select(p => p.DeviceId).Order());
        Assert.Equal([7, 243, 750], plan.GroupBy(p => p.Wave).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.Equal(plan, RolloutPlan.Assign(ids, policy, seed: 42));
        Assert.NotEqual(plan.Where(p => p.Wave == 0).Select(p => p.DeviceId), ids.Take(7));
    }

    [Theory]
    [InlineData(0, null, new double[] { 100 }, 60, "canary wave needs at least one device")]
    [InlineData(5, 0.0, new double[] { 100 }, 60, "canary percentage")]
    [InlineData(5, null, new double[] { 50, 20, 100 }, 60, "must grow")]
    [InlineData(5, null, new double[] { 10, 50 }, 60, "last wave step must be 100")]
    [InlineData(5, null, new double[] { 100 }, 0, "rate must be")]
    public void A_policy_that_cannot_work_is_refused_with_the_reason(int canary, double? percent, double[] steps, int rate, string reason) =>
        Assert.Contains(reason, new RolloutPolicy { CanaryCount = canary, CanaryPercent = percent, Steps = steps, RatePerMinute = rate }.Problem(), StringComparison.Ordinal);

    [Fact]
    public void The_abort_criterion_waits_for_the_minimum_executed_then_aborts_above_the_threshold()
    {
        var policy = new RolloutPolicy { AbortFailurePercent = 10, MinimumExecuted = 5 };
        static RolloutCounts Counts(int succeeded, int failed, int rolledBack = 0, int pending = 0) => new(new Dictionary<RolloutDeviceState, int>
        {
            [RolloutDeviceState.Succeeded] = succeeded, [RolloutDeviceState.Failed] = failed, [RolloutDeviceState.RolledBack] = rolledBack,
            [RolloutDeviceState.Pending] = pending, [RolloutDeviceState.Skipped] = 3,
        });

        Assert.Null(RolloutJudgement.AbortReason(Counts(0, 3, pending: 10), policy));
        Assert.Null(RolloutJudgement.AbortReason(Counts(9, 1, pending: 10), policy));
        Assert.Equal("2 of 10 devices failed (20 % > 10 %)", RolloutJudgement.AbortReason(Counts(8, 1, rolledBack: 1), policy));
        Assert.False(RolloutJudgement.IsComplete(Counts(9, 1, pending: 1)));
        Assert.True(RolloutJudgement.IsComplete(Counts(9, 1)));
    }

    [Theory]
    [InlineData(RolloutDeviceState.Notified, RolloutDeviceState.Downloading, true)]
    [InlineData(RolloutDeviceState.Notified, RolloutDeviceState.Succeeded, true)]
    [InlineData(RolloutDeviceState.Installing, RolloutDeviceState.RolledBack, true)]
    [InlineData(RolloutDeviceState.Installing, RolloutDeviceState.Downloading, false)]
    [InlineData(RolloutDeviceState.Pending, RolloutDeviceState.Succeeded, false)]
    [InlineData(RolloutDeviceState.Succeeded, RolloutDeviceState.Failed, false)]
    [InlineData(RolloutDeviceState.Failed, RolloutDeviceState.Succeeded, false)]
    [InlineData(RolloutDeviceState.Downloading, RolloutDeviceState.Skipped, false)]
    public void A_device_report_moves_only_forward_from_notified_and_never_out_of_a_final_state(RolloutDeviceState from, RolloutDeviceState to, bool allowed) =>
        Assert.Equal(allowed, RolloutDeviceStates.CanReport(from, to));
}
