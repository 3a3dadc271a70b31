using System.Globalization;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Posture.Evidence;

namespace Rampart.Posture.Zones;

/// <summary>
/// Confinement (issue 18, item 5): devices whose support has ended, marked legacy, or running firmware
/// with a known critical vulnerability are moved to the confined zone automatically; an operator may
/// confine or release any device. Every change is audited; a device an operator released is not confined
/// again automatically. After each change <see cref="Changed"/> tells the gateway, which swaps the live
/// sessions' permissions at once (no reconnect).
/// </summary>
public sealed class ConfinementService(IConfinementStore store, IDeviceStore devices, ConfinedTemplates templates, ZoneOptions options, IAuditLog audit)
{
    /// <summary>The actor of automatic confinement.</summary>
    public const string Actor = "system:zones";

    /// <summary>Called after a confinement or release committed (the device as it was read, confined now): the gateway swaps its live sessions' permissions.</summary>
    public event Action<Device, bool>? Changed;

    /// <summary>Loads the confined devices for the gateway (at start).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        foreach (var confinement in await store.ListAsync(cancellationToken))
        {
            templates.Set(confinement.DeviceId, confinement.Active);
        }
    }

    public Task<IReadOnlyList<Confinement>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    // The device as it is after the commit, not as read before it: a quarantine decided meanwhile must
    // not be lifted on the live session by this change's re-templating.
    private async Task NotifyAsync(Device before, bool confined, CancellationToken cancellationToken) =>
        Changed?.Invoke(await devices.GetAsync(before.Id, cancellationToken) ?? before, confined);

    /// <summary>Confines one device now; false when it is confined already.</summary>
    public async Task<bool> ConfineAsync(string deviceId, string reason, string actor, CancellationToken cancellationToken)
    {
        var device = await Existing(deviceId, cancellationToken);
        CheckReason(reason);
        var confined = (await audit.CommitAsync(async (transaction, commit) =>
        {
            var done = await store.TryConfineAsync(transaction, new Confinement(device.Id, reason, actor, transaction.Now), commit);
            return done
                ? AuditedOutcome<bool>.Done(true, new AuditRecord(actor, "device.confined", $"device/{device.Id}", AuditOutcome.Success, new Dictionary<string, string>
                {
                    ["zone"] = options.ConfinedZone,
                    ["from-zone"] = device.Zone ?? "-",
                    ["reason"] = reason,
                }))
                : AuditedOutcome<bool>.Nothing(false);
        }, cancellationToken)).Value;
        if (confined)
        {
            templates.Set(device.Id, true);
            await NotifyAsync(device, true, cancellationToken);
        }

        return confined;
    }

    /// <summary>An operator releases a confined device back to its inventory zone.</summary>
    public async Task ReleaseAsync(string deviceId, string reason, string actor, CancellationToken cancellationToken)
    {
        var device = await Existing(deviceId, cancellationToken);
        CheckReason(reason);
        await audit.CommitAsync(async (transaction, commit) =>
            await store.TryReleaseAsync(transaction, device.Id, actor, reason, transaction.Now, commit)
                ? AuditedOutcome<bool>.Done(true, new AuditRecord(actor, "device.confinement-released", $"device/{device.Id}", AuditOutcome.Success, new Dictionary<string, string>
                {
                    ["zone"] = device.Zone ?? "-",
                    ["reason"] = reason,
                }))
                : throw new FleetException(FleetErrorKind.Conflict, $"device {device.Id} is not confined"), cancellationToken);
        templates.Set(device.Id, false);
        await NotifyAsync(device, false, cancellationToken);
    }

    /// <summary>
    /// Moves a device to another zone of the policy (issue 18): its inventory zone and the audit entry
    /// (<c>device.zone-changed</c>) in one transaction, then <see cref="Changed"/> makes the gateway re-template its
    /// live sessions at once (the new zone's command and consumer services and rate). A confined device stays in the
    /// confined zone until released, and returns to the new zone then. Returns the zone it left (null: none).
    /// </summary>
    public async Task<string?> MoveAsync(string deviceId, string zone, string reason, string actor, CancellationToken cancellationToken)
    {
        var device = await Existing(deviceId, cancellationToken);
        CheckReason(reason);
        var policy = templates.Policy;
        if (zone == policy.ConfinedZone)
        {
            throw new FleetException(FleetErrorKind.Invalid, $"the confined zone {zone} is entered with 'zones confine' and left with 'zones release'");
        }

        if (!policy.Zones.ContainsKey(zone))
        {
            // An unknown name would be an unrestricted zone: a typo must not let a device out of its restricted zone.
            var known = policy.Zones.Keys.Where(name => name != policy.ConfinedZone).Order(StringComparer.Ordinal).ToArray();
            throw new FleetException(FleetErrorKind.Invalid,
                $"zone '{Echo.Of(zone)}' is not in the zone policy (Rampart:Posture:Zones:Zones); known: {(known.Length == 0 ? "none" : string.Join(", ", known))}");
        }

        if (device.State == DeviceState.Retired || device.Zone == zone)
        {
            throw new FleetException(FleetErrorKind.Conflict, device.State == DeviceState.Retired ? $"device {device.Id} is retired" : $"device {device.Id} is in zone {zone} already");
        }

        await audit.CommitAsync(async (transaction, commit) =>
            await devices.SetZoneAsync(transaction, device.Id, zone, commit)
                ? AuditedOutcome<bool>.Done(true, new AuditRecord(actor, "device.zone-changed", $"device/{device.Id}", AuditOutcome.Success, new Dictionary<string, string>
                {
                    ["from-zone"] = device.Zone ?? "-",
                    ["zone"] = zone,
                    ["reason"] = reason,
                }))
                : throw new FleetException(FleetErrorKind.Conflict, $"device {device.Id} is retired"), cancellationToken);
        templates.Learn(device.Id, zone);
        await NotifyAsync(device with { Zone = zone }, templates.IsConfined(device.Id), cancellationToken);
        return device.Zone;
    }

    /// <summary>Confines every device that should be and is not (nor was released by an operator); returns the ids confined.</summary>
    public async Task<IReadOnlyList<string>> ConfineDueAsync(FleetEvidence evidence, CancellationToken cancellationToken)
    {
        var confined = new List<string>();
        foreach (var device in evidence.Devices.Where(d => d.State != DeviceState.Retired && !evidence.Confinements.ContainsKey(d.Id)))
        {
            if (Why(evidence.SubjectOf(device)) is { } reason && await ConfineAsync(device.Id, reason, Actor, cancellationToken))
            {
                confined.Add(device.Id);
            }
        }

        return confined;
    }

    /// <summary>Why the device must be confined, or null.</summary>
    public string? Why(PostureSubject subject)
    {
        if (options.ConfineUnsupported && subject.SupportUntil is { } until && until < subject.Today)
        {
            return "support ended on " + until.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        if (options.ConfineLegacy && subject.Device is { } device && device.Tags.Contains(options.LegacyTag, StringComparer.Ordinal))
        {
            return $"marked {options.LegacyTag}";
        }

        return options.ConfineCriticalVulnerabilities && subject.Exposure is { Assessable: true, Critical: > 0 } exposure
            ? $"{exposure.Critical} known critical vulnerabilities ({exposure.Source})"
            : null;
    }

    private async Task<Device> Existing(string deviceId, CancellationToken cancellationToken) =>
        (DeviceIds.CanName(deviceId) ? await devices.GetAsync(deviceId, cancellationToken) : null)
        ?? throw new FleetException(FleetErrorKind.NotFound, $"no device {Echo.Of(deviceId)}");

    private static void CheckReason(string reason)
    {
        if (reason.Length is 0 or > 512 || reason.Any(char.IsControl))
        {
            throw new FleetException(FleetErrorKind.Invalid, "a reason of 1 to 512 printable characters is required");
        }
    }
}
