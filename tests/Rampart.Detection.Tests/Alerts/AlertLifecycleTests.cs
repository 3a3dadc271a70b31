using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Fleet.Errors;

namespace Rampart.Detection.Tests.Alerts;

public sealed class AlertLifecycleTests : IAsyncLifetime
{
    private AlertHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await AlertHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Findings_of_one_device_and_detector_join_one_alert_and_a_higher_severity_escalates_it()
    {
        var first = await _harness.Alerts.RaiseAsync([_harness.Finding("d1", "baseline.bytes-in", AlertSeverity.Medium)], CancellationToken.None);
        _harness.Clock.Advance(TimeSpan.FromMinutes(1));
        var again = await _harness.Alerts.RaiseAsync([_harness.Finding("d1", "baseline.bytes-in", AlertSeverity.Medium), _harness.Finding("d2", "baseline.bytes-in")], CancellationToken.None);
        _harness.Clock.Advance(TimeSpan.FromMinutes(1));
        var escalated = await _harness.Alerts.RaiseAsync([_harness.Finding("d1", "baseline.bytes-in", AlertSeverity.Critical)], CancellationToken.None);

        Assert.Equal(AlertChangeKind.Opened, Assert.Single(first).Kind);
        Assert.Equal([AlertChangeKind.Seen, AlertChangeKind.Opened], again.OrderBy(c => c.Alert.DeviceId).Select(c => c.Kind));
        var alert = Assert.Single(escalated).Alert;
        Assert.Equal(AlertChangeKind.Escalated, escalated[0].Kind);
        Assert.Equal(first[0].Alert.Id, alert.Id);
        Assert.Equal(3, alert.Occurrences);
        Assert.Equal(AlertSeverity.Critical, alert.Severity);
        Assert.Equal(first[0].Alert.FirstSeen, alert.FirstSeen);
        Assert.Equal(_harness.Clock.GetUtcNow(), alert.LastSeen);

        Assert.Equal(["alert.opened", "alert.opened", "alert.escalated"], _harness.Published().Select(e => e.Kind));
        var entries = await _harness.AuditEntriesAsync();
        Assert.Equal(["alert.escalated", "alert.opened", "alert.opened", "alert.seen"],
            entries.Select(e => e.Action).Where(a => a.StartsWith("alert.", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(2, (await _harness.EventStore.ListAsync(null, 10, CancellationToken.None)).Count(e => e.Event.Kind == "alert.opened"));
    }

    [Fact]
    public async Task An_alert_moves_from_open_to_acknowledged_to_resolved_with_each_step_audited_and_published_and_a_new_finding_then_opens_a_new_one()
    {
        var id = (await _harness.Alerts.RaiseAsync([_harness.Finding("d1", "novelty.listening-port")], CancellationToken.None))[0].Alert.Id;

        var acknowledged = await _harness.Alerts.AcknowledgeAsync(id, "alice", "looking at it", CancellationToken.None);
        await Assert.ThrowsAsync<FleetException>(() => _harness.Alerts.AcknowledgeAsync(id, "alice", null, CancellationToken.None));
        var resolved = await _harness.Alerts.ResolveAsync(id, "alice", "the port was a maintenance tool, removed", CancellationToken.None);
        var reopened = await _harness.Alerts.RaiseAsync([_harness.Finding("d1", "novelty.listening-port")], CancellationToken.None);

        Assert.Equal(AlertState.Acknowledged, acknowledged.State);
        Assert.Equal(AlertState.Resolved, resolved.State);
        Assert.Equal("alice", resolved.ChangedBy);
        Assert.NotEqual(id, reopened[0].Alert.Id);
        Assert.Equal(AlertChangeKind.Opened, reopened[0].Kind);
        Assert.Equal(["alert.opened", "alert.acknowledged", "alert.resolved", "alert.opened"], _harness.Published().Select(e => e.Kind));
        var entries = (await _harness.AuditEntriesAsync()).Where(e => e.Target == $"alert/{id}").ToArray();
        Assert.Equal(["alert.opened", "alert.acknowledged", "alert.resolved"], entries.Select(e => e.Action));
        Assert.Equal("alice", entries[2].Actor);
        Assert.Contains("\"reason\":\"the port was a maintenance tool, removed\"", entries[2].Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_suppressed_alert_takes_findings_silently_until_its_time_then_the_next_finding_reopens_it()
    {
        var id = (await _harness.Alerts.RaiseAsync([_harness.Finding("d1", "gateway.scanner")], CancellationToken.None))[0].Alert.Id;
        var suppressed = await _harness.Alerts.SuppressAsync(id, "bob", _harness.Clock.GetUtcNow().AddHours(1), "pen test until noon", CancellationToken.None);
        _harness.Published();

        var during = await _harness.Alerts.RaiseAsync([_harness.Finding("d1", "gateway.scanner", AlertSeverity.High)], CancellationToken.None);
        _harness.Clock.Advance(TimeSpan.FromHours(1));
        var after = await _harness.Alerts.RaiseAsync([_harness.Finding("d1", "gateway.scanner")], CancellationToken.None);

        Assert.Equal(AlertState.Suppressed, suppressed.State);
        Assert.Equal(AlertChangeKind.Seen, during[0].Kind);
        Assert.Equal(AlertState.Suppressed, during[0].Alert.State);
        Assert.Equal(AlertChangeKind.Opened, after[0].Kind);
        Assert.Equal(id, after[0].Alert.Id);
        Assert.Equal(AlertState.Open, after[0].Alert.State);
        Assert.Equal(AlertSeverity.High, after[0].Alert.Severity);
        Assert.Equal(["alert.opened"], _harness.Published().Select(e => e.Kind));
    }

    [Theory]
    [InlineData(0, "pen test")]
    [InlineData(-5, "pen test")]
    [InlineData(60 * 24 * 91, "pen test")]
    [InlineData(60, "")]
    public async Task A_suppression_without_a_reason_or_outside_now_to_ninety_days_is_refused_and_changes_nothing(int minutes, string reason)
    {
        var id = (await _harness.Alerts.RaiseAsync([_harness.Finding("d1", "gateway.scanner")], CancellationToken.None))[0].Alert.Id;

        var error = await Assert.ThrowsAsync<FleetException>(() => _harness.Alerts.SuppressAsync(id, "bob", _harness.Clock.GetUtcNow().AddMinutes(minutes), reason, CancellationToken.None));

        Assert.Equal(FleetErrorKind.Invalid, error.Kind);
        Assert.Equal(AlertState.Open, (await _harness.Alerts.GetAsync(id, CancellationToken.None)).State);
        Assert.DoesNotContain(await _harness.AuditEntriesAsync(), e => e.Action == "alert.suppressed");
    }

    [Fact]
    public async Task The_open_alert_gauge_counts_active_alerts_by_severity()
    {
        await _harness.Alerts.RaiseAsync([_harness.Finding("d1", "a"), _harness.Finding("d2", "a"), _harness.Finding("d3", "a", AlertSeverity.Low)], CancellationToken.None);
        var id = (await _harness.Alerts.ListAsync(new AlertQuery(DeviceId: "d1"), CancellationToken.None))[0].Id;
        await _harness.Alerts.ResolveAsync(id, "alice", "done", CancellationToken.None);

        var counts = await _harness.Store.CountActiveAsync(CancellationToken.None);

        Assert.Equal(1, counts[AlertSeverity.High]);
        Assert.Equal(1, counts[AlertSeverity.Low]);
        Assert.Equal(2, (await _harness.Alerts.ListAsync(new AlertQuery(State: AlertState.Open), CancellationToken.None)).Count);
        Assert.Single(await _harness.Alerts.ListAsync(new AlertQuery(MinimumSeverity: AlertSeverity.Medium, State: AlertState.Open), CancellationToken.None));
    }

    [Fact]
    public async Task Retention_deletes_only_resolved_alerts_older_than_it_and_keeps_their_audit_entries()
    {
        var changes = await _harness.Alerts.RaiseAsync([_harness.Finding("d1", "a"), _harness.Finding("d2", "a")], CancellationToken.None);
        var resolved = changes.Single(c => c.Alert.DeviceId == "d1").Alert.Id;
        await _harness.Alerts.ResolveAsync(resolved, "alice", "done", CancellationToken.None);
        _harness.Clock.Advance(TimeSpan.FromDays(181));

        var deleted = await _harness.Alerts.ApplyRetentionAsync(_harness.Clock.GetUtcNow(), TimeSpan.FromDays(180), CancellationToken.None);

        Assert.Equal(1, deleted);
        await Assert.ThrowsAsync<FleetException>(() => _harness.Alerts.GetAsync(resolved, CancellationToken.None));
        Assert.Equal(AlertState.Open, (await _harness.Alerts.ListAsync(new AlertQuery(DeviceId: "d2"), CancellationToken.None)).Single().State);
        Assert.Contains(await _harness.AuditEntriesAsync(), e => e.Target == $"alert/{resolved}" && e.Action == "alert.resolved");
    }
}
