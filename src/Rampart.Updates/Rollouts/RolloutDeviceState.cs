namespace Rampart.Updates.Rollouts;

/// <summary>
/// Where one device stands in a rollout: pending → notified → downloading → installing →
/// succeeded | failed | rolled-back. Skipped devices are never notified (their reported security
/// version is above the release's, or they already run it).
/// </summary>
public enum RolloutDeviceState
{
    /// <summary>Selected, not yet told.</summary>
    Pending,

    /// <summary>Its target was published on <c>devices/{id}/config</c>.</summary>
    Notified,

    /// <summary>The device is fetching metadata and image.</summary>
    Downloading,

    /// <summary>The device is writing the inactive slot.</summary>
    Installing,

    /// <summary>Running the release after a healthy restart.</summary>
    Succeeded,

    /// <summary>The device refused or could not install it, or did not finish in time.</summary>
    Failed,

    /// <summary>Installed, failed its health check, and went back to the previous slot.</summary>
    RolledBack,

    /// <summary>Not sent: the release would lower the device's security version, or it runs it already.</summary>
    Skipped,
}

/// <summary>What may follow what: devices report only forward moves; terminal states stay.</summary>
public static class RolloutDeviceStates
{
    /// <summary>True for succeeded, failed, rolled-back and skipped.</summary>
    public static bool IsTerminal(this RolloutDeviceState state) =>
        state is RolloutDeviceState.Succeeded or RolloutDeviceState.Failed or RolloutDeviceState.RolledBack or RolloutDeviceState.Skipped;

    /// <summary>True for the outcomes the abort criteria count as failures.</summary>
    public static bool IsFailure(this RolloutDeviceState state) => state is RolloutDeviceState.Failed or RolloutDeviceState.RolledBack;

    /// <summary>
    /// True when a device report may move <paramref name="from"/> to <paramref name="to"/>: only after it
    /// was notified, only forward, never out of a terminal state (a late or replayed report changes nothing).
    /// </summary>
    public static bool CanReport(RolloutDeviceState from, RolloutDeviceState to) =>
        from is RolloutDeviceState.Notified or RolloutDeviceState.Downloading or RolloutDeviceState.Installing
        && to is not (RolloutDeviceState.Pending or RolloutDeviceState.Notified or RolloutDeviceState.Skipped)
        && (to.IsTerminal() || to > from);

    /// <summary>The wire name: <c>rolled-back</c>, <c>downloading</c>, ….</summary>
    public static string Name(this RolloutDeviceState state) => state == RolloutDeviceState.RolledBack ? "rolled-back" : state.ToString().ToLowerInvariant();

    /// <summary>Parses a wire name; false for anything else.</summary>
    public static bool TryParse(string? name, out RolloutDeviceState state)
    {
        foreach (var candidate in Enum.GetValues<RolloutDeviceState>())
        {
            if (candidate.Name() == name)
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }
}
