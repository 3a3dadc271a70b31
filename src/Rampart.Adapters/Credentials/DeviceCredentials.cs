using System.Text;
using Rampart.Adapters.Identity;
using Rampart.Adapters.Links;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Secrets;

namespace Rampart.Adapters.Credentials;

/// <summary>
/// Issues, rotates and revokes device PSKs, and registers legacy devices with their own secrets;
/// every change audited in the transaction that makes it. A replaced or revoked credential's
/// sessions end once the change has committed (<see cref="DeviceLinks.EndCredentialAsync"/>).
/// </summary>
public sealed class DeviceCredentials(
    IDeviceStore devices,
    IDeviceCredentialStore credentials,
    IBootstrapTokenStore bootstrapTokens,
    IAuditLog audit,
    SecretBox box,
    DeviceLinks links,
    FleetEventStream stream,
    TimeProvider time)
{
    /// <summary>
    /// A new PSK for the device (replacing the one in force: rotation). A registered device becomes
    /// active, as enrolment makes it; retired, quarantined and legacy devices get none.
    /// </summary>
    public async Task<IssuedSecret> IssuePskAsync(string deviceId, string actor, CancellationToken cancellationToken)
    {
        var device = await DeviceAsync(deviceId, cancellationToken);
        if (device.State is DeviceState.Retired or DeviceState.Quarantined)
        {
            throw new FleetException(FleetErrorKind.Conflict, $"device {deviceId} is {device.State.ToString().ToLowerInvariant()}; no PSK can be issued");
        }

        if (await credentials.GetLegacyAsync(deviceId, cancellationToken) is { Replaced: null })
        {
            throw new FleetException(FleetErrorKind.Conflict, $"device {deviceId} is registered as legacy; it uses the legacy adapter until it is replaced");
        }

        var issued = await IssueAsync(deviceId, CredentialKind.Psk, actor, "device.psk-issued", cancellationToken);
        if (issued.Replaced is { } old)
        {
            await EndPskAsync(deviceId, "psk:" + old, "the device's PSK was rotated");
        }

        return issued;
    }

    /// <summary>Revokes the device's PSK; its sessions end. False when it had none.</summary>
    public async Task<bool> RevokePskAsync(string deviceId, string actor, CancellationToken cancellationToken)
    {
        await DeviceAsync(deviceId, cancellationToken);
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            var revoked = await credentials.RevokeAsync(transaction, deviceId, CredentialKind.Psk, transaction.Now, commit);
            return revoked is null
                ? AuditedOutcome<string?>.Nothing(null)
                : AuditedOutcome<string?>.Done(revoked, new AuditRecord(actor, "device.psk-revoked", $"device/{deviceId}", AuditOutcome.Success,
                    new Dictionary<string, string> { ["key-id"] = revoked }));
        }, cancellationToken);
        if (outcome.Value is { } keyId)
        {
            await EndPskAsync(deviceId, "psk:" + keyId, "the device's PSK was revoked");
        }

        return outcome.Value is not null;
    }

    // Here at once; on the other nodes of a cluster through the relay of revocations (Rampart.Cluster's
    // FleetControlRelay), whose GatewayControl ends the broker sessions the credential authenticated,
    // which ends their links and so their DTLS sessions (DeviceLinks.CredentialEnded). The credential's
    // name ("psk:KEYID") travels as the revoked serial: no certificate serial has that form.
    private async Task EndPskAsync(string deviceId, string credential, string reason)
    {
        await links.EndCredentialAsync(deviceId, credential, reason);
        await stream.PublishAsync(new CertificateRevoked(time.GetUtcNow(), credential, "device", deviceId, reason), CancellationToken.None);
    }

    /// <summary>
    /// Registers a device that never enrolled as legacy: flagged (an open finding until it is replaced),
    /// its own secret, its bootstrap token revoked, active under the legacy template.
    /// </summary>
    public async Task<IssuedSecret> RegisterLegacyAsync(string deviceId, string reason, string actor, CancellationToken cancellationToken)
    {
        var device = await DeviceAsync(deviceId, cancellationToken);
        if (reason.Length is 0 or > DeviceIds.MaxAttributeLength * 4 || reason.Any(char.IsControl))
        {
            throw new FleetException(FleetErrorKind.Invalid, "a reason of 1 to 512 printable characters is required (why this device cannot hold a certificate)");
        }

        if (device.State != DeviceState.Registered)
        {
            throw new FleetException(FleetErrorKind.Conflict,
                $"device {deviceId} is {device.State.ToString().ToLowerInvariant()}; only a device that never enrolled can be registered as legacy");
        }

        var (secret, verifier) = await DeviceSecrets.NewAsync(v => credentials.VerifierExistsAsync(v, cancellationToken));
        var keyId = DeviceSecrets.NewKeyId();
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            if (!await credentials.TryAddLegacyAsync(transaction, new LegacyRegistration(deviceId, reason, actor, transaction.Now), commit))
            {
                throw new FleetException(FleetErrorKind.Conflict, $"device {deviceId} is registered as legacy already");
            }

            if (!await devices.TryChangeStateAsync(transaction, deviceId, [DeviceState.Registered], DeviceState.Active, transaction.Now, commit))
            {
                throw new FleetException(FleetErrorKind.Conflict, $"device {deviceId} is no longer registered-only");
            }

            await bootstrapTokens.RevokeForDeviceAsync(transaction, deviceId, transaction.Now, commit);
            await credentials.ReplaceAsync(transaction, new DeviceCredential(deviceId, CredentialKind.Legacy, keyId, verifier, null, transaction.Now), commit);
            var details = new Dictionary<string, string> { ["key-id"] = keyId, ["reason"] = reason };
            return AuditedOutcome<bool>.Done(true,
                [new AuditRecord(actor, "device.legacy-registered", $"device/{deviceId}", AuditOutcome.Success, details)],
                [new SecurityEvent(transaction.Now, "adapter.legacy-device-registered", SecuritySeverity.Warning, deviceId, null, details)]);
        }, cancellationToken);
        _ = outcome;
        return new IssuedSecret(deviceId, CredentialKind.Legacy, keyId, secret, null);
    }

    /// <summary>A new secret for a legacy device; the old one stops working at once.</summary>
    public async Task<IssuedSecret> RotateLegacyAsync(string deviceId, string actor, CancellationToken cancellationToken)
    {
        if (await credentials.GetLegacyAsync(deviceId, cancellationToken) is not { Replaced: null })
        {
            throw new FleetException(FleetErrorKind.NotFound, $"device {Echo.Of(deviceId)} is not an open legacy registration");
        }

        var issued = await IssueAsync(deviceId, CredentialKind.Legacy, actor, "device.legacy-secret-rotated", cancellationToken);
        if (issued.Replaced is { } old)
        {
            await links.EndCredentialAsync(deviceId, "legacy:" + old, "the legacy device's secret was rotated");
        }

        return issued;
    }

    /// <summary>Closes a legacy finding: the device was replaced. Its secret is revoked and its sessions end.</summary>
    public async Task MarkReplacedAsync(string deviceId, string actor, CancellationToken cancellationToken)
    {
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            if (!await credentials.MarkReplacedAsync(transaction, deviceId, transaction.Now, commit))
            {
                throw new FleetException(FleetErrorKind.NotFound, $"device {Echo.Of(deviceId)} is not an open legacy registration");
            }

            var revoked = await credentials.RevokeAsync(transaction, deviceId, CredentialKind.Legacy, transaction.Now, commit);
            return AuditedOutcome<string?>.Done(revoked, new AuditRecord(actor, "device.legacy-replaced", $"device/{deviceId}", AuditOutcome.Success));
        }, cancellationToken);
        if (outcome.Value is { } keyId)
        {
            await links.EndCredentialAsync(deviceId, "legacy:" + keyId, "the legacy device was marked replaced");
        }
    }

    /// <summary>Every legacy registration (open findings first).</summary>
    public Task<IReadOnlyList<LegacyRegistration>> ListLegacyAsync(CancellationToken cancellationToken) => credentials.ListLegacyAsync(cancellationToken);

    private async Task<IssuedSecret> IssueAsync(string deviceId, CredentialKind kind, string actor, string action, CancellationToken cancellationToken)
    {
        var (secret, verifier) = await DeviceSecrets.NewAsync(v => credentials.VerifierExistsAsync(v, cancellationToken));
        var keyId = DeviceSecrets.NewKeyId();
        var sealedKey = kind == CredentialKind.Psk ? box.Seal(Encoding.ASCII.GetBytes(secret), PskDevices.SealContext(deviceId, keyId)) : null;
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            // Issuing a credential makes a registered device active, as enrolment does; no other state moves.
            await devices.TryChangeStateAsync(transaction, deviceId, [DeviceState.Registered], DeviceState.Active, transaction.Now, commit);
            var replaced = await credentials.ReplaceAsync(transaction, new DeviceCredential(deviceId, kind, keyId, verifier, sealedKey, transaction.Now), commit);
            var details = new Dictionary<string, string> { ["key-id"] = keyId };
            if (replaced is not null)
            {
                details["replaced-key-id"] = replaced;
            }

            return AuditedOutcome<string?>.Done(replaced, new AuditRecord(actor, replaced is null ? action : action.Replace("issued", "rotated", StringComparison.Ordinal),
                $"device/{deviceId}", AuditOutcome.Success, details));
        }, cancellationToken);
        return new IssuedSecret(deviceId, kind, keyId, secret, outcome.Value);
    }

    private async Task<Device> DeviceAsync(string deviceId, CancellationToken cancellationToken) =>
        (DeviceIds.CanName(deviceId) ? await devices.GetAsync(deviceId, cancellationToken) : null)
        ?? throw new FleetException(FleetErrorKind.NotFound, $"no device {Echo.Of(deviceId)}");
}
