using System.Globalization;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Updates;
using Rampart.SupplyChain;
using Rampart.SupplyChain.Exposure;
using Rampart.SupplyChain.Matching;
using Rampart.SupplyChain.Policy;
using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Stores;
using Rampart.SupplyChain.Vex;
using Rampart.SupplyChain.Vulnerabilities;
using Rampart.Updates.Releases;

namespace Rampart.Server.SupplyChain;

/// <summary>
/// The node's supply-chain state: vulnerability imports, base SBOMs per model, VEX per scope, and
/// exposure over the fleet. An import that completes recomputes exposure and raises a security
/// event for each vulnerability that newly reaches (or leaves) devices, committed with the new
/// snapshot and its audit entry in one transaction.
/// </summary>
public sealed class SupplyChainService(
    NodeStoresView stores, ReleaseSboms releaseSboms, SecurityEvents events, IAuditLog audit, SupplyChainOptions options,
    SupplyChainVulnerabilityExposure posture, ExposureAlerts alerts, TimeProvider time)
{
    /// <summary>Most records one import request carries.</summary>
    public const int MaxRecordsPerRequest = 5000;

    /// <summary>Most events one recompute raises one by one (the rest are counted in a summary event).</summary>
    public const int MaxEventsPerRecompute = 500;

    private readonly SemaphoreSlim _indexLock = new(1, 1);
    private readonly SemaphoreSlim _recomputeLock = new(1, 1);
    private (long Stamp, VulnerabilityIndex Index)? _index;
    private (long Stamp, KnownExploitedCatalog Catalog)? _knownExploited;

    /// <summary>The severity policy in force: unscored records' severity, and the KEV catalog as last imported by any node.</summary>
    public async Task<SeverityPolicy> PolicyAsync(CancellationToken cancellationToken) => new(options.Unscored, await KnownExploitedAsync(cancellationToken));

    /// <summary>The KEV catalog, read again when its change stamp moved (any node's import).</summary>
    public async Task<KnownExploitedCatalog> KnownExploitedAsync(CancellationToken cancellationToken)
    {
        var stamp = await stores.KnownExploited.StampAsync(cancellationToken);
        if (_knownExploited is { } cached && cached.Stamp == stamp)
        {
            return cached.Catalog;
        }

        var catalog = await stores.KnownExploited.LoadAsync(cancellationToken);
        _knownExploited = (stamp, catalog);
        return catalog;
    }

    /// <summary>
    /// Replaces the KEV catalog with a document as CISA publishes it (validated here against the official
    /// schema: a client's parse is not trusted), audited; a changed catalog recomputes exposure, so known
    /// exploited findings rank first and (policy permitting) refuse promotion at once.
    /// </summary>
    public async Task<KnownExploitedImportOutcome> ImportKnownExploitedAsync(byte[] document, string actor, CancellationToken cancellationToken)
    {
        KnownExploitedCatalog catalog;
        try
        {
            catalog = KnownExploitedCatalog.Parse("the KEV catalog", document);
        }
        catch (VulnerabilityFormatException exception)
        {
            throw new FleetException(FleetErrorKind.Invalid, $"nothing imported: {exception.Message}");
        }

        var changed = (await audit.CommitAsync(async (transaction, token) =>
        {
            var replaced = await stores.KnownExploited.ReplaceAsync(transaction, catalog, token);
            return AuditedOutcome<bool>.Done(replaced, new AuditRecord(actor, "vulnerabilities.known-exploited-imported", "known-exploited", AuditOutcome.Success,
                new Dictionary<string, string> { ["catalog-version"] = catalog.Version, ["released"] = catalog.Released, ["entries"] = Text(catalog.Entries.Count), ["changed"] = replaced ? "true" : "false" }));
        }, cancellationToken)).Value;
        var change = changed ? await RecomputeAsync(actor, cancellationToken) : null;
        return new KnownExploitedImportOutcome(catalog.Version, catalog.Released, catalog.Entries.Count, changed, change);
    }

    /// <summary>Stores a batch of records (re-checked: a client's parse is not trusted); with <paramref name="complete"/>, recomputes exposure.</summary>
    public async Task<ImportOutcome> ImportAsync(IReadOnlyList<Vulnerability> records, bool complete, string actor, CancellationToken cancellationToken)
    {
        if (records.Count > MaxRecordsPerRequest)
        {
            throw new FleetException(FleetErrorKind.Invalid, $"at most {MaxRecordsPerRequest} records per request");
        }

        foreach (var record in records)
        {
            if (record.Problem() is { } problem)
            {
                throw new FleetException(FleetErrorKind.Invalid, $"record {Echo.Of(record.Id ?? string.Empty)}: {problem}");
            }
        }

        var distinct = records.GroupBy(r => r.Id, StringComparer.Ordinal).Select(g => g.Last()).ToArray();
        var upsert = (await audit.CommitAsync(async (transaction, token) =>
        {
            var result = await stores.Vulnerabilities.UpsertAsync(transaction, distinct, token);
            return AuditedOutcome<VulnerabilityUpsert>.Done(result, new AuditRecord(actor, "vulnerabilities.imported", "vulnerabilities", AuditOutcome.Success,
                new Dictionary<string, string> { ["added"] = Text(result.Added), ["updated"] = Text(result.Updated), ["unchanged"] = Text(result.Unchanged) }));
        }, cancellationToken)).Value;
        var total = await stores.Vulnerabilities.CountAsync(cancellationToken);
        await UpdateIndexAsync(distinct, upsert, await stores.Vulnerabilities.StampAsync(cancellationToken), cancellationToken);
        var change = complete ? await RecomputeAsync(actor, cancellationToken) : null;
        return new ImportOutcome(upsert, total, change);
    }

    /// <summary>Sets a model's base SBOM (what its releases do not cover), validated first: an invalid one is refused and nothing stored.</summary>
    public async Task<StoredSbom> SetBaseSbomAsync(string model, byte[] document, string actor, CancellationToken cancellationToken)
    {
        if (!DeviceIds.IsValid(model))
        {
            throw new FleetException(FleetErrorKind.Invalid, "a model is letters, digits, '.', '_' and '-'");
        }

        var sbom = Read(document);
        var stored = new StoredSbom(SbomScope.Model(model), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(document)), sbom.Describe(), sbom.Components, null, actor, default);
        await audit.CommitAsync(async (transaction, token) =>
        {
            await stores.Sboms.PutAsync(transaction, stored, token);
            return AuditedOutcome<bool>.Done(true, new AuditRecord(actor, "sbom.base-set", $"model:{model}", AuditOutcome.Success,
                new Dictionary<string, string> { ["sha256"] = stored.Sha256, ["components"] = Text(sbom.Components.Count), ["format"] = sbom.Describe() }));
        }, cancellationToken);
        await RecomputeAsync(actor, cancellationToken);
        return stored;
    }

    /// <summary>Replaces a release's or model's VEX statements with a document's (OpenVEX or CycloneDX VEX), validated whole first.</summary>
    public async Task<IReadOnlyList<VexStatement>> SetVexAsync(SbomScope scope, byte[] document, string actor, CancellationToken cancellationToken)
    {
        IReadOnlyList<VexStatement> statements;
        try
        {
            statements = VexReader.Read(document);
        }
        catch (SbomException exception)
        {
            throw new FleetException(FleetErrorKind.Invalid, $"the VEX document is refused: {exception.Message}");
        }

        await audit.CommitAsync(async (transaction, token) =>
        {
            await stores.Vex.SetAsync(transaction, scope, statements, token);
            return AuditedOutcome<bool>.Done(true, new AuditRecord(actor, "vex.set", scope.Key, AuditOutcome.Success, new Dictionary<string, string>
            {
                ["statements"] = Text(statements.Count),
                ["not-affected"] = Text(statements.Count(s => s.Status == VexStatus.NotAffected)),
                ["fixed"] = Text(statements.Count(s => s.Status == VexStatus.Fixed)),
            }));
        }, cancellationToken);
        await RecomputeAsync(actor, cancellationToken);
        return statements;
    }

    /// <summary>What runs where (release SBOMs indexed first), for the devices <paramref name="query"/> selects (an operator's scope).</summary>
    public async Task<FleetPicture> PictureAsync(DeviceQuery? query, CancellationToken cancellationToken)
    {
        await releaseSboms.IndexAsync(cancellationToken);
        var releases = await stores.Releases.ListAsync(100_000, cancellationToken);
        var known = releases.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var reported = await stores.Rollouts.ReportedFirmwareAsync(null, cancellationToken);
        var devices = new List<DeviceRuns>();
        var page = (query ?? new DeviceQuery()) with { Limit = DeviceQuery.MaxLimit };
        while (true)
        {
            var batch = await stores.Devices.ListAsync(page, cancellationToken);
            foreach (var device in batch.Where(d => d.State != DeviceState.Retired))
            {
                // What the device last reported it runs (update reports), else what the inventory says.
                var version = reported.TryGetValue(device.Id, out var runs) ? runs.Version : device.FirmwareVersion;
                var release = device.Model is not null && version is not null && known.Contains(Release.IdOf(device.Model, version)) ? Release.IdOf(device.Model, version) : null;
                devices.Add(new DeviceRuns(device.Id, device.Model, release));
            }

            if (batch.Count < page.Limit)
            {
                break;
            }

            page = page with { After = batch[^1].Id };
        }

        var sboms = (await stores.Sboms.ListAsync(cancellationToken)).Where(s => s.Problem is null).ToDictionary(s => s.Scope, s => s.Components);
        return new FleetPicture(devices, releases.Select(r => new ReleaseInfo(r.Id, r.Model, r.Version, r.Created, r.Status == ReleaseStatus.Production)).ToArray(),
            sboms, await stores.Vex.ListAsync(cancellationToken));
    }

    /// <summary>
    /// The records as an index, rebuilt when the store's change stamp moved: any node's import that
    /// added or changed a record (an update that adds none included, which a record count missed).
    /// </summary>
    public async Task<VulnerabilityIndex> IndexAsync(CancellationToken cancellationToken)
    {
        var stamp = await stores.Vulnerabilities.StampAsync(cancellationToken);
        if (_index is { } cached && cached.Stamp == stamp)
        {
            return cached.Index;
        }

        await _indexLock.WaitAsync(cancellationToken);
        try
        {
            var index = new VulnerabilityIndex(await stores.Vulnerabilities.ListAsync(cancellationToken));
            _index = (stamp, index);
            return index;
        }
        finally
        {
            _indexLock.Release();
        }
    }

    /// <summary>
    /// The incremental path: the cached index takes the batch's changed records (and keeps every match
    /// they do not touch) when nothing else changed the store meanwhile; otherwise the next read rebuilds it.
    /// </summary>
    private async Task UpdateIndexAsync(IReadOnlyList<Vulnerability> batch, VulnerabilityUpsert upsert, long stamp, CancellationToken cancellationToken)
    {
        await _indexLock.WaitAsync(cancellationToken);
        try
        {
            // This import raised the stamp by one if it changed anything; any other rise is another writer's.
            var ours = upsert.Added + upsert.Updated > 0 ? 1 : 0;
            _index = _index is { } cached && cached.Stamp + ours == stamp ? (stamp, cached.Index.With(batch)) : null;
        }
        finally
        {
            _indexLock.Release();
        }
    }

    /// <summary>Exposure of the devices <paramref name="query"/> selects.</summary>
    public async Task<IReadOnlyList<ExposureItem>> ExposureAsync(DeviceQuery? query, CancellationToken cancellationToken) =>
        ExposureCalculator.Compute(await PictureAsync(query, cancellationToken), await IndexAsync(cancellationToken), await PolicyAsync(cancellationToken));

    /// <summary>
    /// Recomputes the whole fleet's exposure and compares it with the last snapshot: each vulnerability
    /// newly open on devices (or on more of them) raises <c>supplychain.exposure.opened</c>, each no longer
    /// open <c>supplychain.exposure.closed</c>; the snapshot, the events and the audit entry commit together.
    /// </summary>
    public async Task<ExposureChange> RecomputeAsync(string actor, CancellationToken cancellationToken)
    {
        await _recomputeLock.WaitAsync(cancellationToken);
        try
        {
            return await RecomputeLockedAsync(actor, cancellationToken);
        }
        finally
        {
            _recomputeLock.Release();
        }
    }

    private async Task<ExposureChange> RecomputeLockedAsync(string actor, CancellationToken cancellationToken)
    {
        var picture = await PictureAsync(null, cancellationToken);
        var items = ExposureCalculator.Compute(picture, await IndexAsync(cancellationToken), await PolicyAsync(cancellationToken));
        var marks = ExposureCalculator.Marks(items);
        var before = await stores.Exposure.SnapshotAsync(cancellationToken);
        var opened = marks.Where(m => !before.TryGetValue(m.Key, out var old) || old.Devices < m.Devices).ToArray();
        var current = marks.Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
        var closed = before.Values.Where(m => !current.Contains(m.Key)).ToArray();
        var raised = opened.Take(MaxEventsPerRecompute).Select(m => events.Create("supplychain.exposure.opened", Severity(m.Severity), null, null, Details(m)))
            .Concat(closed.Take(MaxEventsPerRecompute).Select(m => events.Create("supplychain.exposure.closed", SecuritySeverity.Info, null, null, Details(m))))
            .ToList();
        if (opened.Length + closed.Length > raised.Count)
        {
            raised.Add(events.Create("supplychain.exposure.summary", SecuritySeverity.Warning, null, null,
                new Dictionary<string, string> { ["opened"] = Text(opened.Length), ["closed"] = Text(closed.Length), ["listed"] = Text(raised.Count) }));
        }

        var change = new ExposureChange(marks.Count, opened.Length, closed.Length);

        // The result the console pages read (issue 22), stored with the snapshot: every line, open or closed, and which
        // scopes each device ran; its digest tells whether anything the pages show changed (a closed line, a moved device).
        var result = ExposureResult.Of(items);
        var stamp = await stores.Exposure.ResultStampAsync(cancellationToken);
        var resultChanged = stamp?.Digest != result.Digest();

        // Nothing moved (a periodic recompute of an unchanged fleet): no state change, nothing to audit.
        var moved = opened.Length + closed.Length > 0 || marks.Count != before.Count || marks.Any(m => before[m.Key].Devices != m.Devices);
        if (moved || resultChanged)
        {
            await audit.CommitAsync(async (transaction, token) =>
            {
                await stores.Exposure.ReplaceAsync(transaction, marks, token);
                await stores.Exposure.ReplaceResultAsync(transaction, result, time.GetUtcNow(), token);
                return AuditedOutcome<bool>.Done(true, [new AuditRecord(actor, "supplychain.exposure-recomputed", "exposure", AuditOutcome.Success,
                    new Dictionary<string, string>
                    {
                        ["open"] = Text(change.Open), ["opened"] = Text(change.Opened), ["closed"] = Text(change.Closed), ["lines"] = Text(result.Lines.Count),
                        ["device-scopes"] = Text(result.DeviceScopes.Count),
                    })], raised);
            }, cancellationToken);
            await events.PublishCommittedAsync(raised, cancellationToken);
        }

        // Per device: posture's vulnerability check, and alerts for newly exposed devices (detection's path).
        var devices = DeviceExposure.Of(picture, items);
        posture.Update(devices);
        if (options.RaiseAlerts)
        {
            var (alertsOpened, alertsResolved) = await alerts.SyncAsync(devices, time, cancellationToken);
            change = change with { AlertsOpened = alertsOpened, AlertsResolved = alertsResolved };
        }

        return change;
    }

    private static SbomDocument Read(byte[] document)
    {
        try
        {
            return SbomReader.Read(document);
        }
        catch (SbomException exception)
        {
            throw new FleetException(FleetErrorKind.Invalid, $"the SBOM is refused: {exception.Message}");
        }
    }

    private static SecuritySeverity Severity(string severity) => severity is "critical" or "high" ? SecuritySeverity.High : SecuritySeverity.Warning;

    private static Dictionary<string, string> Details(ExposureMark mark) => new()
    {
        ["vulnerability"] = mark.Vulnerability, ["component"] = mark.Component, ["scope"] = mark.Key.Split('|')[1], ["severity"] = mark.Severity, ["devices"] = Text(mark.Devices),
    };

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What an import request did, and (when it completed an import) how exposure changed.</summary>
public sealed record ImportOutcome(VulnerabilityUpsert Stored, long Total, ExposureChange? Exposure);

/// <summary>Open exposure lines after a recompute, and how many opened and closed since the last.</summary>
public sealed record ExposureChange(int Open, int Opened, int Closed, int AlertsOpened = 0, int AlertsResolved = 0);

/// <summary>The stores supply chain reads and writes (the node's provider's, like every other store).</summary>
public sealed record NodeStoresView(
    ISbomStore Sboms, IVulnerabilityStore Vulnerabilities, IVexStore Vex, IExposureStore Exposure, IReleaseStore Releases, IRolloutStore Rollouts, IDeviceStore Devices,
    IKnownExploitedStore KnownExploited);
