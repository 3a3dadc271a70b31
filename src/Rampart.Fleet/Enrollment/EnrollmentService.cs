using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Secrets;
using Rampart.Pki.Est;
using Rampart.Pki.Profiles;

namespace Rampart.Fleet.Enrollment;

/// <summary>
/// EST enrollment and renewal (RFC 7030 §4.2) in front of the CA. Every issuance and refusal is
/// audited and recorded as a security event; failed authentications back off per source and per
/// claimed device.
/// </summary>
public sealed class EnrollmentService
{
    private readonly IReadOnlyList<IEnrollmentAuthorizer> _authorizers;
    private readonly CertificateIssuer _issuer;
    private readonly IDeviceStore _devices;
    private readonly IAuditLog _audit;
    private readonly SecurityEvents _events;
    private readonly FailureBackoff _backoff;
    private readonly CertificateProfile _profile;
    private readonly IReadOnlyList<IEnrollmentPolicy> _policies;

    // Which states may enroll, re-checked inside the transaction (DeviceStates decides the refusal message before it).
    private static readonly DeviceState[] _firstEnrollmentStates = [DeviceState.Registered, DeviceState.Active];
    private static readonly DeviceState[] _renewalStates = [DeviceState.Active];

    public EnrollmentService(
        IEnumerable<IEnrollmentAuthorizer> authorizers,
        CertificateIssuer issuer,
        IDeviceStore devices,
        IAuditLog audit,
        SecurityEvents events,
        TimeProvider time,
        IOptions<EnrollmentOptions> options,
        IEnumerable<IEnrollmentPolicy>? policies = null)
    {
        _policies = policies?.ToArray() ?? [];
        _authorizers = authorizers.ToArray();
        _issuer = issuer;
        _devices = devices;
        _audit = audit;
        _events = events;
        var settings = options.Value;
        _backoff = new FailureBackoff(time, settings.FreeAuthenticationFailures, settings.BackoffBase, settings.BackoffMaximum);
        _profile = CertificateProfiles.Device(settings.DeviceCertificateValidity, issuer.KeyHolderLookup("device"));
    }

    /// <summary>
    /// 1. back off a source that keeps failing, 2. authorise (and back off a device that keeps
    /// failing), 3. read and prove the CSR, 4. run the device profile, 5. sign, 6. in one durable
    /// transaction: spend the credential, record the certificate, activate the device, audit and
    /// record the event (RFC 7030 §4.2: the certificate is returned only once all of it is durable).
    /// </summary>
    public async Task<EnrollmentResult> EnrollAsync(EstOperation operation, EstCredentials credentials, ReadOnlyMemory<byte> csrDer, CancellationToken cancellationToken)
    {
        var sourceKey = "source:" + credentials.Source;
        if (_backoff.RetryAfter(sourceKey) is { } sourceWait)
        {
            return EnrollmentResult.Refused(RateLimited(sourceWait, credentials.UserName));
        }

        var authorizer = _authorizers.FirstOrDefault(a => a.Handles(operation, credentials));
        var (grant, refusal) = authorizer is null
            ? (null, new EnrollmentRefusal(EnrollmentRefusalKind.Unauthenticated, "no-credentials",
                "present a bootstrap token (HTTP Basic: user = device id, password = token) or a factory certificate"))
            : await authorizer.AuthorizeAsync(operation, credentials, cancellationToken);

        if (refusal is not null)
        {
            if (refusal.Kind == EnrollmentRefusalKind.Unauthenticated)
            {
                await RecordAuthenticationFailureAsync(sourceKey, refusal.ClaimedDeviceId, credentials, cancellationToken);
            }

            return await RefuseAsync(operation, credentials, refusal, cancellationToken);
        }

        var deviceId = grant!.DeviceId;
        if (_backoff.RetryAfter("device:" + deviceId) is { } deviceWait)
        {
            return EnrollmentResult.Refused(RateLimited(deviceWait, deviceId));
        }

        foreach (var policy in _policies)
        {
            if (await policy.CheckAsync(operation, deviceId, cancellationToken) is { } policyRefusal)
            {
                return await RefuseAsync(operation, credentials, policyRefusal, cancellationToken);
            }
        }

        var (request, malformed) = CsrReader.Read(csrDer.Span);
        if (malformed is not null)
        {
            return await RefuseAsync(operation, credentials, new EnrollmentRefusal(EnrollmentRefusalKind.BadRequest, malformed.Code, malformed.Message, deviceId), cancellationToken);
        }

        var (template, profileRefusal) = await _issuer.PrepareAsync(_profile, deviceId, request!, cancellationToken);
        if (profileRefusal is not null)
        {
            var kind = profileRefusal.Code == CsrRefusal.KeyReuseCode ? EnrollmentRefusalKind.Forbidden : EnrollmentRefusalKind.BadRequest;
            return await RefuseAsync(operation, credentials, new EnrollmentRefusal(kind, profileRefusal.Code, profileRefusal.Message, deviceId), cancellationToken);
        }

        // 5. Sign on this thread (CPU work stays out of the single writer); nothing is handed out
        // unless the transaction below records it.
        var (record, certificate) = _issuer.Sign(_profile, deviceId, template!);
        var details = new Dictionary<string, string>
        {
            ["operation"] = Name(operation),
            ["method"] = grant.Method,
            ["serial"] = record.Serial,
            ["key-sha256"] = record.KeyFingerprint,
            ["not-after"] = record.NotAfter.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["source"] = credentials.Source,
        };
        var issued = new AuditRecord("device:" + deviceId, "certificate.issued", $"certificate/{record.Serial}", AuditOutcome.Success, details);
        var enrollable = operation == EstOperation.Enroll ? _firstEnrollmentStates : _renewalStates;

        // 6. One transaction (shared with concurrent enrollments: group commit): spend the credential,
        // record the certificate, activate the device, audit, event. A refusal found here undoes
        // the writes before it and is itself recorded; a crash before the commit leaves no trace.
        var outcome = await _audit.CommitAsync(async (transaction, commit) =>
        {
            if (!await grant.CommitAsync(transaction, commit))
            {
                return Refusal(operation, credentials, operation == EstOperation.Reenroll
                    ? new EnrollmentRefusal(EnrollmentRefusalKind.Unauthenticated, "revoked", "the certificate was revoked or expired meanwhile", deviceId)
                    : new EnrollmentRefusal(EnrollmentRefusalKind.Unauthenticated, "bad-token", "the bootstrap token was used meanwhile", deviceId));
            }

            if (await _issuer.TryRecordAsync(transaction, record, commit) is { } holder)
            {
                return Refusal(operation, credentials, new EnrollmentRefusal(EnrollmentRefusalKind.Forbidden, CsrRefusal.KeyReuseCode,
                    $"this key is already certified for {holder}; every device needs its own key", deviceId));
            }

            if (!await _devices.TryChangeStateAsync(transaction, deviceId, enrollable, DeviceState.Active, transaction.Now, commit))
            {
                return Refusal(operation, credentials, new EnrollmentRefusal(EnrollmentRefusalKind.Forbidden, "device-state-changed",
                    $"device {deviceId} changed state during enrollment and cannot enroll now", deviceId));
            }

            return AuditedOutcome<EnrollmentRefusal?>.Done(null, issued,
                _events.Create("certificate.issued", SecuritySeverity.Info, deviceId, credentials.Source, details));
        }, cancellationToken);

        await _events.PublishCommittedAsync(outcome.Events, cancellationToken);
        if (outcome.Value is { } refused)
        {
            certificate.Dispose();
            return EnrollmentResult.Refused(refused);
        }

        _backoff.RecordSuccess(sourceKey);
        _backoff.RecordSuccess("device:" + deviceId);
        return new EnrollmentResult(record, certificate, null);
    }

    private async Task RecordAuthenticationFailureAsync(string sourceKey, string? claimedDevice, EstCredentials credentials, CancellationToken cancellationToken)
    {
        var blocked = _backoff.RecordFailure(sourceKey);
        if (claimedDevice is not null && DeviceIds.CanName(claimedDevice))
        {
            blocked |= _backoff.RecordFailure("device:" + claimedDevice);
        }

        if (blocked)
        {
            await _events.RecordAsync("enrollment.backoff", SecuritySeverity.High, claimedDevice, credentials.Source,
                new Dictionary<string, string> { ["reason"] = "repeated authentication failures" }, cancellationToken);
        }
    }

    /// <summary>A refusal decided before any write: its audit entry and event in one commit.</summary>
    private async Task<EnrollmentResult> RefuseAsync(EstOperation operation, EstCredentials credentials, EnrollmentRefusal refusal, CancellationToken cancellationToken)
    {
        var outcome = await _audit.CommitAsync((_, _) => ValueTask.FromResult(Refusal(operation, credentials, refusal)), cancellationToken);
        await _events.PublishCommittedAsync(outcome.Events, cancellationToken);
        return EnrollmentResult.Refused(refusal);
    }

    /// <summary>The refusal as an outcome: the work's writes (if any) undone, its audit record and event kept.</summary>
    private AuditedOutcome<EnrollmentRefusal?> Refusal(EstOperation operation, EstCredentials credentials, EnrollmentRefusal refusal)
    {
        var claimed = refusal.ClaimedDeviceId is { } id && DeviceIds.CanName(id) ? id : null;
        var details = new Dictionary<string, string>
        {
            ["operation"] = Name(operation),
            ["code"] = refusal.Code,
            ["reason"] = refusal.Message,
            ["source"] = credentials.Source,
        };
        var record = new AuditRecord(claimed is null ? "anonymous" : "device:" + claimed, "enrollment.refused",
            claimed is null ? string.Empty : $"device/{claimed}", AuditOutcome.Denied, details);
        var keyReuse = refusal.Code == CsrRefusal.KeyReuseCode;
        var securityEvent = _events.Create(keyReuse ? "enrollment.key-reuse" : "enrollment.refused", keyReuse ? SecuritySeverity.High : SecuritySeverity.Warning,
            claimed, credentials.Source, details);
        return AuditedOutcome<EnrollmentRefusal?>.Refused(refusal, record, securityEvent);
    }

    private static EnrollmentRefusal RateLimited(TimeSpan wait, string? device) =>
        new(EnrollmentRefusalKind.RateLimited, "backoff",
            $"too many failed attempts; retry in {Math.Ceiling(wait.TotalSeconds)} s", device, wait);

    private static string Name(EstOperation operation) => operation == EstOperation.Enroll ? "simpleenroll" : "simplereenroll";
}
