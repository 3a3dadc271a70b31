using Rampart.Fleet.Approvals;
using Rampart.Updates.Releases;
using Rampart.Updates.Rollouts;

namespace Rampart.WebConsole.Updates;

/// <summary>A rollout with its device counts by state, overall and per wave, and its failed devices with their reasons.</summary>
public sealed record RolloutProgress(
    Rollout Rollout, IReadOnlyDictionary<string, int> Devices, IReadOnlyList<IReadOnlyDictionary<string, int>> Waves, IReadOnlyList<RolloutDevice> Failed)
{
    /// <summary>Devices in the rollout.</summary>
    public int Total => Devices.Values.Sum();

    /// <summary>Devices that reached an end (succeeded, failed, …).</summary>
    public static int Finished(IReadOnlyDictionary<string, int> counts) =>
        counts.Where(c => c.Key is not ("pending" or "notified" or "downloading" or "installing")).Sum(c => c.Value);
}

/// <summary>The releases page: releases, rollouts, and the four-eyes requests that wait on releases.</summary>
public sealed record ReleasesView(IReadOnlyList<Release> Releases, IReadOnlyList<RolloutProgress> Rollouts, IReadOnlyList<Approval> PendingPromotions);
