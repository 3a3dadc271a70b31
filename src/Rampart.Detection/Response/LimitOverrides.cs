using System.Globalization;
using Rampart.Detection.Alerts;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;

namespace Rampart.Detection.Response;

/// <summary>
/// The "tighten limits" response (issue 14, item 5): 1. the device's lower limits are stored with an
/// audit entry and a <c>device.limits-tightened</c> event in one transaction, 2. applied to the
/// gateway's per-identity limits, which its live session shares (felt at its next PUBLISH, no
/// reconnect), 3. every window each node re-applies what the store holds (a restart, or the device on
/// another node) and restores the limits of a device whose alert is no longer active — resolved by a
/// person or by its release from quarantine — audited as <c>device.limits-restored</c>.
/// </summary>
public sealed class LimitOverrides(ILimitOverrideStore store, IAlertStore alerts, ILiveLimits live, IAuditLog audit, SecurityEvents events, ResponseOptions options)
{
    /// <summary>Tightens the device's limits for <paramref name="alertId"/>; false when they were tightened already.</summary>
    public async Task<bool> TightenAsync(string deviceId, long alertId, string reason, CancellationToken cancellationToken)
    {
        var limits = options.Tightened.ToOverride();
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            var record = new DeviceLimitOverride(deviceId, limits, alertId, reason, AlertService.Actor, transaction.Now);
            if (!await store.TryAddAsync(transaction, record, commit))
            {
                return AuditedOutcome<bool>.Nothing(false);
            }

            var details = Details(record);
            return AuditedOutcome<bool>.Done(true, new AuditRecord(AlertService.Actor, "device.limits-tightened", $"device/{deviceId}", AuditOutcome.Success, details),
                new SecurityEvent(transaction.Now, "device.limits-tightened", SecuritySeverity.Warning, deviceId, null, details));
        }, cancellationToken);
        if (outcome.Value)
        {
            live.Apply(deviceId, limits);
            await events.PublishCommittedAsync(outcome.Events, CancellationToken.None);
        }

        return outcome.Value;
    }

    /// <summary>Restores the device's limits; false when they were not tightened.</summary>
    public async Task<bool> RestoreAsync(string deviceId, string actor, string reason, CancellationToken cancellationToken)
    {
        var details = new Dictionary<string, string> { ["reason"] = reason };
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
            await store.RemoveAsync(transaction, deviceId, commit)
                ? AuditedOutcome<bool>.Done(true, new AuditRecord(actor, "device.limits-restored", $"device/{deviceId}", AuditOutcome.Success, details),
                    new SecurityEvent(transaction.Now, "device.limits-restored", SecuritySeverity.Info, deviceId, null, details))
                : AuditedOutcome<bool>.Nothing(false),
            cancellationToken);
        live.Apply(deviceId, null);
        await events.PublishCommittedAsync(outcome.Events, CancellationToken.None);
        return outcome.Value;
    }

    /// <summary>
    /// Makes the gateway's overrides what the store says (run at start and every window): applies the
    /// stored ones whose alert is still active, restores those whose alert was resolved or deleted, and
    /// clears live overrides the store no longer holds (another node restored them).
    /// </summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        var stored = await store.ListAsync(cancellationToken);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var limits in stored)
        {
            var alert = await alerts.GetAsync(limits.AlertId, cancellationToken);
            if (alert is { Active: true })
            {
                kept.Add(limits.DeviceId);
                live.Apply(limits.DeviceId, limits.Limits);
                continue;
            }

            var why = alert is null ? $"alert {limits.AlertId} no longer exists" : $"alert {limits.AlertId} was resolved by {alert.ChangedBy ?? "someone"}";
            await RestoreAsync(limits.DeviceId, AlertService.Actor, why, cancellationToken);
        }

        foreach (var deviceId in live.Applied.Where(id => !kept.Contains(id)).ToArray())
        {
            live.Apply(deviceId, null);
        }
    }

    private static Dictionary<string, string> Details(DeviceLimitOverride record) => new()
    {
        ["alert"] = record.AlertId.ToString(CultureInfo.InvariantCulture),
        ["reason"] = record.Reason,
        ["messages-per-second"] = record.Limits.MessagesPerSecond.ToString(CultureInfo.InvariantCulture),
        ["bytes-per-second"] = record.Limits.BytesPerSecond.ToString(CultureInfo.InvariantCulture),
    };
}
