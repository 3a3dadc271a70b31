using System.Globalization;
using System.Security.Cryptography;
using Rampart.Fleet.Updates;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Updates.Releases;
using Rampart.Updates.Rollouts;

namespace Rampart.Server.Updates;

/// <summary>A rollout's progress: the rollout, counts over all devices, and counts per wave.</summary>
public sealed record RolloutStatus(Rollout Rollout, RolloutCounts Counts, IReadOnlyList<RolloutCounts> Waves);

/// <summary>
/// Creating and steering rollouts. Creation plans every selected device up front (one transaction):
/// devices of another model are left out; devices in another open rollout, of a hardware revision the
/// release does not support, already on the release, or whose reported security version is above the
/// release's (server-side rollback protection) are recorded as skipped with the reason; the rest are shuffled into waves. <see cref="RolloutEngine"/>
/// then notifies them.
/// </summary>
public sealed class RolloutService(
    IRolloutStore store, IReleaseStore releases, IDeviceStore devices, TufRepository repository, IAuditLog audit, TimeProvider time, RolloutNotifier notifier)
{
    /// <summary>Plans and stores a rollout of a production release.</summary>
    public async Task<RolloutStatus> CreateAsync(string releaseId, string selectorText, RolloutPolicy policy, string actor, CancellationToken cancellationToken)
    {
        var release = await releases.GetAsync(releaseId, cancellationToken) ?? throw new FleetException(FleetErrorKind.NotFound, $"no release {Echo.Of(releaseId)}");
        if (release.Status != ReleaseStatus.Production)
        {
            throw new FleetException(FleetErrorKind.Conflict, $"release {releaseId} is {release.Status.ToString().ToLowerInvariant()}: it needs approval to production first (rampart release promote)");
        }

        if (await repository.TargetInfoAsync(release.ManifestTarget, cancellationToken) is null)
        {
            throw new FleetException(FleetErrorKind.Conflict,
                $"release {releaseId} is not in the published TUF targets yet: its targets metadata waits for the offline targets key (rampart keys targets prepare, sign, import)");
        }

        if (policy.Problem() is { } problem)
        {
            throw new FleetException(FleetErrorKind.Invalid, problem);
        }

        DeviceSelector selector;
        try
        {
            selector = DeviceSelector.Parse(selectorText);
        }
        catch (FormatException exception)
        {
            throw new FleetException(FleetErrorKind.Invalid, exception.Message);
        }

        var (eligible, skipped) = await SelectAsync(release, selector, cancellationToken);
        if (eligible.Count == 0)
        {
            throw new FleetException(FleetErrorKind.Invalid,
                $"'{selector}' selects no active {release.Model} device that can take {release.Id}" + (skipped.Count > 0 ? $" ({skipped.Count} skipped: {skipped[0].Detail}, …)" : string.Empty));
        }

        var plan = RolloutPlan.Assign(eligible, policy, RandomNumberGenerator.GetInt32(int.MaxValue));
        var now = time.GetUtcNow();
        var planned = plan.Select(p => new RolloutDevice(p.DeviceId, p.Wave, RolloutDeviceState.Pending, null, null, now)).Concat(skipped).ToArray();
        var waves = plan.Max(p => p.Wave) + 1;
        var rollout = new Rollout(0, release.Id, selector.ToString(), policy, RolloutState.Running, null, 0, waves, actor, now, now);
        var details = new Dictionary<string, string>
        {
            ["release"] = release.Id,
            ["selector"] = selector.ToString(),
            ["devices"] = eligible.Count.ToString(CultureInfo.InvariantCulture),
            ["skipped"] = skipped.Count.ToString(CultureInfo.InvariantCulture),
            ["waves"] = waves.ToString(CultureInfo.InvariantCulture),
            ["rate-per-minute"] = policy.RatePerMinute.ToString(CultureInfo.InvariantCulture),
            ["abort-failure-percent"] = policy.AbortFailurePercent.ToString(CultureInfo.InvariantCulture),
        };

        // The plan rows and the entry commit together; the id is known only inside the transaction.
        var id = (await audit.CommitAsync(async (transaction, token) =>
        {
            var created = await store.CreateAsync(transaction, rollout, planned, token);
            return AuditedOutcome<long>.Done(created, new AuditRecord(actor, "rollout.created", $"rollout:{created}", AuditOutcome.Success, details));
        }, cancellationToken)).Value;
        return await StatusAsync(id, cancellationToken);
    }

    /// <summary>Progress of a rollout.</summary>
    public async Task<RolloutStatus> StatusAsync(long id, CancellationToken cancellationToken)
    {
        var rollout = await GetAsync(id, cancellationToken);
        var waves = new List<RolloutCounts>();
        var previous = new RolloutCounts(new Dictionary<RolloutDeviceState, int>());
        for (var wave = 0; wave < rollout.WaveCount; wave++)
        {
            var through = await store.CountAsync(id, wave, cancellationToken);
            waves.Add(new RolloutCounts(Enum.GetValues<RolloutDeviceState>().ToDictionary(s => s, s => through[s] - previous[s])));
            previous = through;
        }

        return new RolloutStatus(rollout, await store.CountAsync(id, null, cancellationToken), waves);
    }

    /// <summary>Rollouts, newest first.</summary>
    public Task<IReadOnlyList<Rollout>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(null, 200, cancellationToken);

    /// <summary>A page of the rollout's devices.</summary>
    public async Task<IReadOnlyList<RolloutDevice>> DevicesAsync(long id, RolloutDeviceState? state, string? after, int limit, CancellationToken cancellationToken)
    {
        await GetAsync(id, cancellationToken);
        return await store.DevicesAsync(id, state, after, Math.Clamp(limit, 1, 1000), cancellationToken);
    }

    /// <summary>Holds a running rollout: nobody new is notified.</summary>
    public Task<RolloutStatus> PauseAsync(long id, string actor, CancellationToken cancellationToken) =>
        MoveAsync(id, [RolloutState.Running], RolloutState.Paused, "rollout.paused", actor, cancellationToken);

    /// <summary>Continues a paused rollout.</summary>
    public Task<RolloutStatus> ResumeAsync(long id, string actor, CancellationToken cancellationToken) =>
        MoveAsync(id, [RolloutState.Paused], RolloutState.Running, "rollout.resumed", actor, cancellationToken);

    /// <summary>Stops a rollout for good: nobody new is notified.</summary>
    public Task<RolloutStatus> CancelAsync(long id, string actor, CancellationToken cancellationToken) =>
        MoveAsync(id, [RolloutState.Running, RolloutState.Paused], RolloutState.Cancelled, "rollout.cancelled", actor, cancellationToken);

    private async Task<RolloutStatus> MoveAsync(
        long id, RolloutState[] from, RolloutState to, string action, string actor, CancellationToken cancellationToken)
    {
        var rollout = await GetAsync(id, cancellationToken);
        var details = new Dictionary<string, string> { ["release"] = rollout.ReleaseId, ["from"] = rollout.State.ToString().ToLowerInvariant() };
        if (to == RolloutState.Cancelled)
        {
            // Counted when decided: the withdrawal itself is derived state that follows the commit.
            var counts = await store.CountAsync(id, null, cancellationToken);
            details["withdrawn-from"] = (counts[RolloutDeviceState.Notified] + counts[RolloutDeviceState.Downloading]).ToString(CultureInfo.InvariantCulture);
        }

        // The state and its entry commit together; the state is checked again inside the transaction.
        var record = new AuditRecord(actor, action, $"rollout:{id}", AuditOutcome.Success, details);
        var moved = await audit.CommitAsync(async (transaction, token) =>
            await store.TrySetStateAsync(transaction, id, from, to, $"{action[8..]} by {actor}", token)
                ? AuditedOutcome<bool>.Done(true, record)
                : AuditedOutcome<bool>.Nothing(false), cancellationToken);
        if (!moved.Value)
        {
            var now = await GetAsync(id, cancellationToken);
            throw new FleetException(FleetErrorKind.Conflict, $"rollout {id} is {now.State.ToString().ToLowerInvariant()}");
        }

        // After the commit: a node that dies before the withdrawal repeats it at the next start (RolloutEngine).
        if (to == RolloutState.Cancelled)
        {
            await notifier.WithdrawAsync(id, $"cancelled by {actor}", cancellationToken);
        }

        return await StatusAsync(id, cancellationToken);
    }

    private async Task<Rollout> GetAsync(long id, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) ?? throw new FleetException(FleetErrorKind.NotFound, $"no rollout {id}");

    // Every active device the selector matches, of the release's model, split into those that can take
    // the release and those skipped with a reason.
    private async Task<(List<string> Eligible, List<RolloutDevice> Skipped)> SelectAsync(Release release, DeviceSelector selector, CancellationToken cancellationToken)
    {
        var busy = await store.BusyDevicesAsync(cancellationToken);
        var firmware = await store.ReportedFirmwareAsync(null, cancellationToken);
        var now = time.GetUtcNow();
        var eligible = new List<string>();
        var skipped = new List<RolloutDevice>();
        string? after = null;
        while (true)
        {
            var page = await devices.ListAsync(new DeviceQuery(after, DeviceQuery.MaxLimit, DeviceState.Active), cancellationToken);
            foreach (var device in page)
            {
                if (device.Model != release.Model || !selector.Matches(device.Model, device.Site, device.Zone, device.Tags))
                {
                    continue;
                }

                if (eligible.Count + skipped.Count >= RolloutPolicy.MaxDevices)
                {
                    throw new FleetException(FleetErrorKind.Invalid, $"the selector matches more than {RolloutPolicy.MaxDevices:N0} devices; narrow it");
                }

                var reason = busy.Contains(device.Id) ? "in another open rollout"
                    : release.Hardware.Count > 0 && (device.HardwareRevision is null || !release.Hardware.Contains(device.HardwareRevision))
                        ? $"hardware revision {device.HardwareRevision ?? "(not recorded)"} is not one the release supports ({string.Join(", ", release.Hardware)})"
                    : firmware.TryGetValue(device.Id, out var runs) ? RollbackProtection.Refusal(runs, release) : null;
                if (reason is null)
                {
                    eligible.Add(device.Id);
                }
                else
                {
                    skipped.Add(new RolloutDevice(device.Id, 0, RolloutDeviceState.Skipped, reason, null, now));
                }
            }

            if (page.Count < DeviceQuery.MaxLimit)
            {
                return (eligible, skipped);
            }

            after = page[^1].Id;
        }
    }
}
