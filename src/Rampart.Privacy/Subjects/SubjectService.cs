using System.Security.Cryptography;
using System.Text.Json;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Keys;

namespace Rampart.Privacy.Subjects;

/// <summary>
/// Data subjects (issue 19 §2): persons or households with a region, devices and consents. The
/// subject id and personal fields are sealed with the subject's own data key; stores, events and
/// the audit log name the subject only by its keyed pseudonym. Every change is audited in its
/// transaction and reaches the delivery path's directory as soon as it commits.
/// </summary>
public sealed class SubjectService(
    ISubjectStore store, IDeviceStore devices, IAuditLog audit, Envelope envelope, Pseudonyms pseudonyms, PrivacyPolicy policy, SubjectDirectory directory,
    SubjectChanges? changes = null)
{
    /// <summary>The pseudonym of <paramref name="subjectId"/>.</summary>
    public string PseudonymOf(string subjectId)
    {
        SubjectInput.CheckId(subjectId);
        return pseudonyms.Subject(subjectId);
    }

    /// <summary>Adds a subject; returns its pseudonym.</summary>
    public async Task<string> AddAsync(string subjectId, string region, IReadOnlyDictionary<string, string>? fields, string actor, CancellationToken cancellationToken)
    {
        SubjectInput.CheckId(subjectId);
        SubjectInput.CheckFields(fields);
        if (!policy.Regions.Contains(region))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"region {Echo.Of(region)} is not configured (Rampart:Privacy:Regions); one of: {string.Join(", ", policy.Regions.Order())}");
        }

        var pseudonym = pseudonyms.Subject(subjectId);
        var (dataKey, wrapped) = envelope.NewDataKey(pseudonym);
        byte[] sealedFields;
        try
        {
            sealedFields = Envelope.SealWith(dataKey, JsonSerializer.SerializeToUtf8Bytes(new SealedFields(subjectId, new Dictionary<string, string>(fields ?? new Dictionary<string, string>()))), pseudonym);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }

        var added = await audit.CommitAsync(async (transaction, commit) =>
            await store.TryAddAsync(transaction, new StoredSubject(pseudonym, region, sealedFields, transaction.Now), envelope.Current(wrapped, pseudonym), commit)
                ? AuditedOutcome<bool>.Done(true, Record(actor, "privacy.subject-added", pseudonym, new() { ["region"] = region, ["fields"] = string.Join(",", (fields ?? new Dictionary<string, string>()).Keys.Order()) }))
                : AuditedOutcome<bool>.Nothing(false),
            cancellationToken);
        if (!added.Value)
        {
            throw new FleetException(FleetErrorKind.Conflict, $"subject {pseudonym} exists already");
        }

        directory.Set(new SubjectRouting(pseudonym, region, [], new HashSet<string>()));
        changes?.Announce(pseudonym);
        return pseudonym;
    }

    /// <summary>Links a device to the subject (a device belongs to one subject).</summary>
    public async Task LinkDeviceAsync(string subjectId, string deviceId, string actor, CancellationToken cancellationToken)
    {
        var pseudonym = PseudonymOf(subjectId);
        var subject = await store.GetAsync(pseudonym, cancellationToken) ?? throw NoSubject(pseudonym);
        var device = await devices.GetAsync(deviceId, cancellationToken) ?? throw new FleetException(FleetErrorKind.NotFound, $"no device {Echo.Of(deviceId)}");
        if (policy.RegionOfSite(device.Site) is { } siteRegion && siteRegion != subject.Region)
        {
            throw new FleetException(FleetErrorKind.Conflict, $"device {device.Id} is at site {device.Site} in region {siteRegion}; subject {pseudonym} is in region {subject.Region}");
        }

        var owner = await audit.CommitAsync(async (transaction, commit) =>
        {
            var existing = await store.TryLinkDeviceAsync(transaction, pseudonym, device.Id, commit);
            return existing is null
                ? AuditedOutcome<string?>.Done(null, Record(actor, "privacy.device-linked", pseudonym, new() { ["device"] = device.Id }))
                : AuditedOutcome<string?>.Nothing(existing);
        }, cancellationToken);
        if (owner.Value is { } other && other != pseudonym)
        {
            throw new FleetException(FleetErrorKind.Conflict, $"device {device.Id} belongs to another subject");
        }

        await RefreshAsync(pseudonym, cancellationToken);
        changes?.Announce(pseudonym);
    }

    /// <summary>Grants or withdraws consent to <paramref name="purpose"/> (art. 7(3): withdrawing is as easy as giving); live subscriptions see it at the next message.</summary>
    public async Task SetConsentAsync(string subjectId, string purpose, bool granted, string actor, CancellationToken cancellationToken)
    {
        SubjectInput.CheckPurpose(purpose);
        var pseudonym = PseudonymOf(subjectId);
        _ = await store.GetAsync(pseudonym, cancellationToken) ?? throw NoSubject(pseudonym);
        await audit.CommitAsync(async (transaction, commit) =>
        {
            await store.SetConsentAsync(transaction, new Consent(pseudonym, purpose, granted, transaction.Now), commit);
            return AuditedOutcome<bool>.Done(true, Record(actor, granted ? "privacy.consent-granted" : "privacy.consent-withdrawn", pseudonym, new() { ["purpose"] = purpose }));
        }, cancellationToken);
        await RefreshAsync(pseudonym, cancellationToken);
        changes?.Announce(pseudonym);
    }

    /// <summary>Reloads one subject into the delivery path's directory from the store (another node changed it); false when it is gone (erased).</summary>
    public async Task<bool> ReloadAsync(string pseudonym, CancellationToken cancellationToken)
    {
        await RefreshAsync(pseudonym, cancellationToken);
        return directory.Get(pseudonym) is not null;
    }

    /// <summary>The subject, decrypted; null when there is none (or it was erased).</summary>
    public async Task<SubjectRecord?> GetAsync(string subjectId, CancellationToken cancellationToken)
    {
        var pseudonym = PseudonymOf(subjectId);
        if (await store.GetAsync(pseudonym, cancellationToken) is not { } subject || await store.GetKeyAsync(pseudonym, cancellationToken) is not { } wrapped)
        {
            return null;
        }

        var dataKey = envelope.Unwrap(wrapped, pseudonym);
        SealedFields fields;
        try
        {
            fields = JsonSerializer.Deserialize<SealedFields>(Envelope.OpenWith(dataKey, subject.Sealed, pseudonym))!;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }

        return new SubjectRecord(fields.Id, pseudonym, subject.Region, fields.Fields,
            await store.DevicesAsync(pseudonym, cancellationToken), await store.ConsentsAsync(pseudonym, cancellationToken), subject.Created);
    }

    /// <summary>Loads every subject into the delivery path's directory (at start).</summary>
    public async Task LoadDirectoryAsync(CancellationToken cancellationToken)
    {
        foreach (var routing in await store.RoutingAsync(cancellationToken))
        {
            directory.Set(routing);
        }
    }

    /// <summary>
    /// Reloads every subject from the store, forgetting those gone (a cluster node catching up after
    /// missing changes); returns the pseudonyms forgotten, or null when changes kept arriving while it
    /// read (each of them was applied by itself; the next resync tries again).
    /// </summary>
    public async Task<IReadOnlyList<string>?> ResyncDirectoryAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var readAt = directory.Version;
            if (directory.TryReplaceAll(await store.RoutingAsync(cancellationToken), readAt, out var gone))
            {
                return gone;
            }
        }

        return null;
    }

    internal static AuditRecord Record(string actor, string action, string pseudonym, Dictionary<string, string>? details = null) =>
        new(actor, action, "subject/" + pseudonym, AuditOutcome.Success, details);

    internal static FleetException NoSubject(string pseudonym) => new(FleetErrorKind.NotFound, $"no subject {pseudonym}");

    private async Task RefreshAsync(string pseudonym, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(pseudonym, CancellationToken.None) is not { } subject)
        {
            directory.Remove(pseudonym);
            return;
        }

        var consents = await store.ConsentsAsync(pseudonym, CancellationToken.None);
        directory.Set(new SubjectRouting(pseudonym, subject.Region, await store.DevicesAsync(pseudonym, CancellationToken.None),
            consents.Where(c => c.Granted).Select(c => c.Purpose).ToHashSet(StringComparer.Ordinal)));
        cancellationToken.ThrowIfCancellationRequested();
    }
}
