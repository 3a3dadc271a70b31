using System.Data.Common;
using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>Detection's alerts and rules document (issue 14), the same on every provider: the store directly and through AlertService.</summary>
public abstract class AlertStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    private static Alert NewAlert(string device, string detector, AlertSeverity severity = AlertSeverity.High, AlertState state = AlertState.Open) =>
        new(0, device, detector, severity, state, $"{detector} on {device}", new Dictionary<string, string> { ["value"] = "40000", ["baseline"] = "120" },
            Start, Start.AddMinutes(5), 2, null, null, null, Start.AddMinutes(5), null);

    private Task<long> AddAsync(Alert alert) => AuditedAsync(transaction => Stores.Alerts.AddAsync(transaction, alert, CancellationToken.None));

    private AlertService NewService() => new(Stores.Alerts, Audit, new SecurityEvents(Stores.SecurityEvents, new FleetEventStream(), Clock));

    [Fact]
    public async Task An_alert_added_in_an_audited_change_reads_back_with_every_field_and_an_update_replaces_them()
    {
        var id = await AddAsync(NewAlert("d1", "baseline:bytes-in"));
        var stored = await Stores.Alerts.GetAsync(id, CancellationToken.None);

        Assert.NotNull(stored);
        Assert.Equal(("d1", "baseline:bytes-in", AlertSeverity.High, AlertState.Open, 2), (stored.DeviceId, stored.Detector, stored.Severity, stored.State, stored.Occurrences));
        Assert.Equal((Start, Start.AddMinutes(5), (DateTimeOffset?)null, (string?)null), (stored.FirstSeen, stored.LastSeen, stored.SuppressedUntil, stored.Response));
        Assert.Equal("120", stored.Evidence["baseline"]);

        var suppressed = stored with
        {
            State = AlertState.Suppressed, Severity = AlertSeverity.Critical, SuppressedUntil = Start.AddDays(1), Reason = "maintenance",
            ChangedBy = "alice", Changed = Start.AddMinutes(6), Response = "quarantined", Evidence = new Dictionary<string, string> { ["value"] = "1" },
        };
        await AuditedAsync(async transaction =>
        {
            await Stores.Alerts.UpdateAsync(transaction, suppressed, CancellationToken.None);
            return true;
        });

        var updated = await Stores.Alerts.GetAsync(id, CancellationToken.None);
        Assert.NotNull(updated);
        Assert.Equal((AlertState.Suppressed, AlertSeverity.Critical, Start.AddDays(1), "maintenance", "alice", "quarantined"),
            (updated.State, updated.Severity, updated.SuppressedUntil!.Value, updated.Reason, updated.ChangedBy, updated.Response));
        Assert.Equal(["value"], updated.Evidence.Keys);
        Assert.True((await VerifyAsync()).IsIntact);
    }

    [Fact]
    public async Task A_second_active_alert_of_one_device_and_detector_is_refused_by_the_database_but_a_resolved_one_is_not()
    {
        const string insert =
            "INSERT INTO alerts (device_id, detector, severity, state, summary, evidence, first_seen_ms, last_seen_ms, occurrences, changed_ms) " +
            "VALUES ('d1', 'novelty', 'high', '{0}', 's', '{{}}', 0, 0, 1, 0)";
        await Provider.ExecuteRawAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, insert, "open"));
        await Provider.ExecuteRawAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, insert, "resolved"));

        await Assert.ThrowsAnyAsync<DbException>(() => Provider.ExecuteRawAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, insert, "acknowledged")));

        Assert.Equal(2, (await Stores.Alerts.ListAsync(new AlertQuery(DeviceId: "d1"), CancellationToken.None)).Count);
    }

    [Fact]
    public async Task The_active_alert_of_a_pair_is_found_inside_the_transaction_and_a_resolved_one_is_not()
    {
        var resolved = await AddAsync(NewAlert("d1", "novelty", state: AlertState.Resolved));
        var active = await AddAsync(NewAlert("d1", "novelty", state: AlertState.Acknowledged));

        var found = await AuditedAsync(async transaction => (
            Active: await Stores.Alerts.FindActiveAsync(transaction, "d1", "novelty", CancellationToken.None),
            Other: await Stores.Alerts.FindActiveAsync(transaction, "d1", "baseline", CancellationToken.None),
            Resolved: await Stores.Alerts.GetAsync(transaction, resolved, CancellationToken.None)));

        Assert.Equal(active, found.Active?.Id);
        Assert.Null(found.Other);
        Assert.Equal(AlertState.Resolved, found.Resolved?.State);
    }

    [Fact]
    public async Task Listing_filters_by_state_device_and_minimum_severity_newest_first_and_pages_before_an_id()
    {
        var low = await AddAsync(NewAlert("d1", "a", AlertSeverity.Low));
        var medium = await AddAsync(NewAlert("d1", "b", AlertSeverity.Medium));
        var critical = await AddAsync(NewAlert("d2", "a", AlertSeverity.Critical));
        var resolved = await AddAsync(NewAlert("d2", "b", AlertSeverity.High, AlertState.Resolved));

        async Task<long[]> IdsAsync(AlertQuery query) => [.. (await Stores.Alerts.ListAsync(query, CancellationToken.None)).Select(alert => alert.Id)];

        Assert.Equal([resolved, critical, medium, low], await IdsAsync(new AlertQuery()));
        Assert.Equal([critical, medium, low], await IdsAsync(new AlertQuery(State: AlertState.Open)));
        Assert.Equal([medium, low], await IdsAsync(new AlertQuery(DeviceId: "d1")));
        Assert.Equal([resolved, critical, medium], await IdsAsync(new AlertQuery(MinimumSeverity: AlertSeverity.Medium)));
        Assert.Equal([medium, low], await IdsAsync(new AlertQuery(Before: critical)));
        Assert.Equal([resolved], await IdsAsync(new AlertQuery(Limit: 1)));
    }

    [Fact]
    public async Task Active_alerts_are_counted_by_severity_and_retention_deletes_only_resolved_ones_changed_before_the_cutoff()
    {
        await AddAsync(NewAlert("d1", "a", AlertSeverity.High));
        await AddAsync(NewAlert("d2", "a", AlertSeverity.High));
        await AddAsync(NewAlert("d3", "a", AlertSeverity.Low));
        var old = await AddAsync(NewAlert("d4", "a", AlertSeverity.High, AlertState.Resolved));
        var recent = await AddAsync(NewAlert("d5", "a", AlertSeverity.High, AlertState.Resolved) with { Changed = Start.AddDays(10) });

        var counts = await Stores.Alerts.CountActiveAsync(CancellationToken.None);
        var deleted = await Stores.Alerts.DeleteResolvedBeforeAsync(Start.AddDays(1), CancellationToken.None);

        Assert.Equal(new Dictionary<AlertSeverity, long> { [AlertSeverity.High] = 2, [AlertSeverity.Low] = 1 }, counts);
        Assert.Equal(1, deleted);
        Assert.Null(await Stores.Alerts.GetAsync(old, CancellationToken.None));
        Assert.NotNull(await Stores.Alerts.GetAsync(recent, CancellationToken.None));
        Assert.Equal(3, (await Stores.Alerts.ListAsync(new AlertQuery(State: AlertState.Open), CancellationToken.None)).Count);
    }

    [Fact]
    public async Task An_alert_written_by_a_refused_change_is_rolled_back_while_the_refusal_is_audited()
    {
        await Audit.CommitAsync<bool>(async (transaction, cancellationToken) =>
        {
            await Stores.Alerts.AddAsync(transaction, NewAlert("d1", "a"), cancellationToken);
            return AuditedOutcome<bool>.Refused(false, new AuditRecord("test", "alert.refused", "device/d1", AuditOutcome.Denied));
        });

        Assert.Empty(await Stores.Alerts.ListAsync(new AlertQuery(), CancellationToken.None));
        Assert.True((await VerifyAsync()).IsIntact);
    }

    [Fact]
    public async Task The_rules_document_is_absent_until_set_and_a_second_set_replaces_it()
    {
        Assert.Null(await Stores.DetectionRules.GetAsync(CancellationToken.None));

        await AuditedAsync(async transaction =>
        {
            await Stores.DetectionRules.SetAsync(transaction, "{\"rules\":[1]}", "alice", CancellationToken.None);
            return true;
        });
        await AuditedAsync(async transaction =>
        {
            await Stores.DetectionRules.SetAsync(transaction, "{\"rules\":[2]}", "bob", CancellationToken.None);
            return true;
        });

        Assert.Equal("{\"rules\":[2]}", await Stores.DetectionRules.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Through_the_service_findings_of_one_pair_join_one_alert_and_after_it_is_resolved_a_new_finding_opens_another()
    {
        var alerts = NewService();
        Finding At(AlertSeverity severity) => new("novelty", "d1", severity, "new peer", new Dictionary<string, string> { ["peer"] = "10.0.0.9" }, Clock.GetUtcNow());

        var first = await alerts.RaiseAsync([At(AlertSeverity.Medium)], CancellationToken.None);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var joined = await alerts.RaiseAsync([At(AlertSeverity.High)], CancellationToken.None);
        await alerts.ResolveAsync(first[0].Alert.Id, "alice", "benign", CancellationToken.None);
        var reopened = await alerts.RaiseAsync([At(AlertSeverity.Low)], CancellationToken.None);

        Assert.Equal(first[0].Alert.Id, joined[0].Alert.Id);
        Assert.Equal((AlertSeverity.High, 2), (joined[0].Alert.Severity, joined[0].Alert.Occurrences));
        Assert.NotEqual(first[0].Alert.Id, reopened[0].Alert.Id);
        Assert.Equal(AlertState.Resolved, (await alerts.GetAsync(first[0].Alert.Id, CancellationToken.None)).State);
        Assert.Contains((await Stores.SecurityEvents.ListAsync("d1", 10, CancellationToken.None)), e => e.Event.Kind == "alert.opened");
        Assert.True((await VerifyAsync()).IsIntact);
    }
}
