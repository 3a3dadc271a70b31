namespace Rampart.Updates.Rollouts;

/// <summary>Splits the selected devices into waves: the canary first, then up to each step's share.</summary>
public static class RolloutPlan
{
    /// <summary>
    /// The cumulative device count at the end of each wave, for <paramref name="total"/> devices: wave
    /// 0 is the canary; empty waves (a step that adds nobody) are left out, so every wave has devices.
    /// </summary>
    public static IReadOnlyList<int> WaveEnds(int total, RolloutPolicy policy)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        var ends = new List<int>();
        if (total == 0)
        {
            return ends;
        }

        var canary = policy.CanaryPercent is { } percent ? (int)Math.Ceiling(total * percent / 100) : policy.CanaryCount;
        ends.Add(Math.Clamp(canary, 1, total));
        foreach (var step in policy.Steps)
        {
            var end = Math.Min(total, (int)Math.Ceiling(total * step / 100));
            if (end > ends[^1])
            {
                ends.Add(end);
            }
        }

        if (ends[^1] < total)
        {
            ends.Add(total);
        }

        return ends;
    }

    /// <summary>
    /// Assigns each device its wave. The order is shuffled with <paramref name="seed"/> so a canary is a
    /// sample of the selection, not its first ids; the same seed gives the same plan.
    /// </summary>
    public static IReadOnlyList<(string DeviceId, int Wave)> Assign(IReadOnlyList<string> deviceIds, RolloutPolicy policy, int seed)
    {
        var order = deviceIds.ToArray();
        new Random(seed).Shuffle(order);
        var ends = WaveEnds(order.Length, policy);
        var plan = new (string, int)[order.Length];
        var wave = 0;
        for (var i = 0; i < order.Length; i++)
        {
            while (i >= ends[wave])
            {
                wave++;
            }

            plan[i] = (order[i], wave);
        }

        return plan;
    }
}
