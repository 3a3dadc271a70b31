using Rampart.Detection.Baselines;
using Rampart.Detection.Metrics;

namespace Rampart.Detection.Tests.Baselines;

/// <summary>What a device's baselines learned survives a restart (docs/detection.md, "Baselines after a restart").</summary>
public sealed class BaselineRestoreTests
{
    [Fact]
    public async Task A_device_whose_baselines_were_restored_is_judged_by_its_own_baseline_in_its_first_window_after_a_restart()
    {
        // A lone device (no cohort can judge it): only its own baseline can.
        var before = new Fleet();
        await before.NormalAsync(40, "d001");
        var saved = before.Engine.ChangedBaselines(before.Clock.GetUtcNow());
        Assert.Equal(BaselineSnapshot.Bytes, Assert.Single(saved).State.Length);
        Assert.Empty(before.Engine.ChangedBaselines(before.Clock.GetUtcNow()));

        var restarted = new Fleet(seed: 8);
        Assert.Equal(1, restarted.Engine.RestoreBaselines(saved));
        var relearning = new Fleet(seed: 8);
        Assert.Equal((40, 40), restarted.Engine.Read("d001", p => (p.Own.Samples, p.Reference.Samples)));
        Assert.Equal(before.Mean("d001", BehaviourMetric.BytesIn), restarted.Mean("d001", BehaviourMetric.BytesIn));

        var exfiltrating = restarted.Normal("d001");
        exfiltrating[BehaviourMetric.BytesIn] *= 10;
        var findings = await restarted.JudgeAsync(exfiltrating);
        var missed = await relearning.JudgeAsync(exfiltrating);

        var finding = Assert.Single(findings);
        Assert.Equal(("baseline.bytes-in", "own", "40"), (finding.Detector, finding.Evidence["baseline"], finding.Evidence["baseline-windows"]));
        Assert.Empty(missed);
    }

    [Fact]
    public async Task A_damaged_or_foreign_snapshot_is_refused_and_leaves_the_profile_unlearned()
    {
        var fleet = new Fleet();
        await fleet.NormalAsync(12, "d001");
        var good = Assert.Single(fleet.Engine.ChangedBaselines(fleet.Clock.GetUtcNow()));
        var notANumber = good.State.ToArray();
        BitConverter.TryWriteBytes(notANumber.AsSpan(BaselineSnapshot.Bytes - 4), float.NaN);
        var negativeVariance = good.State.ToArray();
        BitConverter.TryWriteBytes(negativeVariance.AsSpan(2 + 4 + 4), -1f);
        var otherVersion = good.State.ToArray();
        otherVersion[0] = 9;

        var restarted = new Fleet();
        Assert.Equal(0, restarted.Engine.RestoreBaselines([
            good with { State = notANumber }, good with { State = negativeVariance }, good with { State = otherVersion }, good with { State = good.State[..100] }]));
        Assert.Equal((0, 0), restarted.Engine.Read("d001", p => (p.Own.Samples, p.Reference.Samples)));
        Assert.Equal(1, restarted.Engine.RestoreBaselines([good]));
    }
}
