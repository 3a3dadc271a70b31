using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Monitoring;

namespace Rampart.Fleet.Inventory;

/// <summary>Adds, retires, quarantines and releases devices; every change audited and published.</summary>
public sealed class InventoryService(
    IDeviceStore devices,
    BootstrapTokens tokens,
    RevocationService revocation,
    IAuditLog audit,
    FleetEventStream stream,
    TimeProvider time,
    IEnumerable<IDeviceIdReservations>? reservations = null)
{
    private readonly IDeviceIdReservations[] _reservations = reservations?.ToArray() ?? [];

    /// <summary>Most tags on one device.</summary>
    public const int MaxTags = 32;

    /// <summary>Adds a device in state registered and issues its first bootstrap token, in one audited transaction.</summary>
    public async Task<(Device Device, IssuedBootstrapToken Token)> AddAsync(NewDevice request, string actor, CancellationToken cancellationToken)
    {
        var device = Validate(request, time.GetUtcNow());
        foreach (var reservation in _reservations)
        {
            if (reservation.Reserved(device.Id) is { } why)
            {
                throw new FleetException(FleetErrorKind.Invalid, $"device id {why}");
            }
        }

        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            if (!await devices.TryAddAsync(transaction, device, commit))
            {
                throw new FleetException(FleetErrorKind.Conflict, $"device {device.Id} exists already (ids are never reused, retired ones included)");
            }

            var (token, issued) = await tokens.IssueAsync(transaction, device.Id, actor, commit);
            return AuditedOutcome<IssuedBootstrapToken>.Done(token,
                [new AuditRecord(actor, "device.added", $"device/{device.Id}", AuditOutcome.Success, Describe(device)), issued], []);
        }, cancellationToken);
        return (device, outcome.Value);
    }

    /// <summary>The device, or a not-found refusal.</summary>
    public async Task<Device> GetAsync(string id, CancellationToken cancellationToken) =>
        (DeviceIds.CanName(id) ? await devices.GetAsync(id, cancellationToken) : null)
        ?? throw new FleetException(FleetErrorKind.NotFound, $"no device {Echo.Of(id)}");

    /// <summary>A page of the inventory.</summary>
    public Task<IReadOnlyList<Device>> ListAsync(DeviceQuery query, CancellationToken cancellationToken)
    {
        if (query.Limit is < 1 or > DeviceQuery.MaxLimit)
        {
            throw new FleetException(FleetErrorKind.Invalid, $"limit must be 1 to {DeviceQuery.MaxLimit}");
        }

        return devices.ListAsync(query, cancellationToken);
    }

    /// <summary>A new bootstrap token for a device that is not retired (re-enrollment after expiry, lost token).</summary>
    public async Task<IssuedBootstrapToken> IssueBootstrapTokenAsync(string id, string actor, CancellationToken cancellationToken)
    {
        var device = await GetAsync(id, cancellationToken);
        if (device.State is DeviceState.Retired or DeviceState.Quarantined)
        {
            throw new FleetException(FleetErrorKind.Conflict, $"device {id} is {device.State.ToString().ToLowerInvariant()}; no bootstrap token can be issued");
        }

        return await tokens.IssueAsync(id, actor, cancellationToken);
    }

    /// <summary>Retires the device for good: revokes its certificates and tokens and ends its sessions.</summary>
    public async Task<IReadOnlyList<string>> RetireAsync(string id, string actor, CancellationToken cancellationToken)
    {
        await GetAsync(id, cancellationToken);

        // State, tokens, certificates and their audit entries in one transaction: a crash never
        // leaves a retired device with a live certificate or token.
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            if (!await devices.TryChangeStateAsync(transaction, id, [DeviceState.Registered, DeviceState.Active, DeviceState.Quarantined], DeviceState.Retired, transaction.Now, commit))
            {
                throw new FleetException(FleetErrorKind.Conflict, $"device {id} is retired already");
            }

            await tokens.RevokeForDeviceAsync(transaction, id, commit);
            var batch = await revocation.RevokeSubjectAsync(transaction, "device", id, X509RevocationReason.CessationOfOperation, actor, commit);
            return AuditedOutcome<RevocationBatch>.Done(batch,
                [new AuditRecord(actor, "device.retired", $"device/{id}", AuditOutcome.Success), .. batch.Records], batch.Events);
        }, cancellationToken);

        var revoked = await revocation.PublishAsync(outcome.Value);
        await stream.PublishAsync(new DeviceAccessChanged(time.GetUtcNow(), id, DeviceAccessChange.Retired, "retired"), CancellationToken.None); // committed: live control must follow
        return revoked;
    }

    /// <summary>Confines an active device: it keeps its identity but loses its permissions.</summary>
    public async Task QuarantineAsync(string id, string reason, string actor, CancellationToken cancellationToken)
    {
        await ChangeAsync(id, DeviceState.Active, DeviceState.Quarantined, "device.quarantined", reason, actor, DeviceAccessChange.Quarantined, cancellationToken);
    }

    /// <summary>
    /// Releases a quarantined device back to active once <paramref name="proof"/> accepts it (issue 14,
    /// item 5: a fresh posture matching its installed release, plus this operator); its refusal stands.
    /// </summary>
    public async Task ReleaseAsync(string id, string reason, string actor, IQuarantineReleaseCheck proof, CancellationToken cancellationToken)
    {
        await ChangeAsync(id, DeviceState.Quarantined, DeviceState.Active, "device.released", reason, actor, DeviceAccessChange.Released, cancellationToken, proof);
    }

    private async Task ChangeAsync(
        string id, DeviceState from, DeviceState to, string action, string reason, string actor, DeviceAccessChange change, CancellationToken cancellationToken,
        IQuarantineReleaseCheck? proof = null)
    {
        var device = await GetAsync(id, cancellationToken);
        if (reason.Length is 0 or > DeviceIds.MaxAttributeLength * 4)
        {
            throw new FleetException(FleetErrorKind.Invalid, "a reason of 1 to 512 characters is required");
        }

        var details = new Dictionary<string, string> { ["reason"] = reason };
        if (proof is not null)
        {
            if (device.State != from)
            {
                throw new FleetException(FleetErrorKind.Conflict,
                    $"device {id} is {device.State.ToString().ToLowerInvariant()}; it must be {from.ToString().ToLowerInvariant()} to become {to.ToString().ToLowerInvariant()}");
            }

            details["proof"] = await proof.ProveAsync(device, cancellationToken);
        }

        await audit.CommitAsync(async (transaction, commit) =>
        {
            if (!await devices.TryChangeStateAsync(transaction, id, [from], to, transaction.Now, commit))
            {
                throw new FleetException(FleetErrorKind.Conflict,
                    $"device {id} is {device.State.ToString().ToLowerInvariant()}; it must be {from.ToString().ToLowerInvariant()} to become {to.ToString().ToLowerInvariant()}");
            }

            return AuditedOutcome<bool>.Done(true, new AuditRecord(actor, action, $"device/{id}", AuditOutcome.Success, details));
        }, cancellationToken);
        await stream.PublishAsync(new DeviceAccessChanged(time.GetUtcNow(), id, change, reason), CancellationToken.None); // committed: live control must follow
    }

    private static Device Validate(NewDevice request, DateTimeOffset now)
    {
        if (!DeviceIds.IsValid(request.Id))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"device id '{Echo.Of(request.Id)}' must be {DeviceIds.Rule}");
        }

        foreach (var (name, value) in new[] { ("model", request.Model), ("vendor", request.Vendor), ("hardware revision", request.HardwareRevision), ("site", request.Site), ("zone", request.Zone) })
        {
            if (value is { Length: > DeviceIds.MaxAttributeLength } || (value is not null && value.Any(char.IsControl)))
            {
                throw new FleetException(FleetErrorKind.Invalid, $"{name} must be at most {DeviceIds.MaxAttributeLength} printable characters");
            }
        }

        var tags = request.Tags ?? [];
        if (tags.Count > MaxTags || tags.Any(tag => !DeviceIds.IsValid(tag)))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"at most {MaxTags} tags, each {DeviceIds.Rule}");
        }

        return new Device(request.Id, request.Model, request.Vendor, request.HardwareRevision, null, request.Site, request.Zone,
            tags.Distinct(StringComparer.Ordinal).ToArray(), DeviceState.Registered, request.SupportUntil, now, now);
    }

    private static Dictionary<string, string> Describe(Device device)
    {
        var details = new Dictionary<string, string>();
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                details[key] = value;
            }
        }

        Add("model", device.Model);
        Add("vendor", device.Vendor);
        Add("hardware-revision", device.HardwareRevision);
        Add("site", device.Site);
        Add("zone", device.Zone);
        Add("support-until", device.SupportUntil?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        if (device.Tags.Count > 0)
        {
            details["tags"] = string.Join(",", device.Tags);
        }

        return details;
    }
}
