using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;

namespace Rampart.Detection.Tests.Alerts;

public sealed class AlertHardeningTests : IAsyncLifetime
{
    private AlertHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await AlertHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task A_more_severe_finding_reopens_a_suppressed_alert_instead_of_joining_it_silently()
    {
        var id = (await _harness.Alerts.RaiseAsync([_harness.Finding("d1", "novelty.listening-port", AlertSeverity.Medium)], CancellationToken.None))[0].Alert.Id;
        await _harness.Alerts.SuppressAsync(id, "bob", _harness.Clock.GetUtcNow().AddHours(4), "maintenance port during the pen test", CancellationToken.None);
        _harness.Clock.Advance(TimeSpan.FromMinutes(1));

        var changes = await _harness.Alerts.RaiseAsync([_harness.Finding("d1", "novelty.listening-port", AlertSeverity.High)], CancellationToken.None);

        var change = Assert.Single(changes);
        Assert.Equal(AlertChangeKind.Escalated, change.Kind);
        Assert.Equal(AlertState.Open, change.Alert.State);
        Assert.Null(change.Alert.SuppressedUntil);
        Assert.Equal(AlertSeverity.High, change.Alert.Severity);
        Assert.Contains(_harness.Published(), e => e.Kind == "alert.escalated");
    }

    [Fact]
    public async Task Repeat_sightings_of_many_alerts_in_a_window_write_one_audit_entry_not_one_each()
    {
        var findings = Enumerable.Range(1, 20).Select(i => _harness.Finding($"d{i}", "baseline.bytes-in")).ToArray();
        await _harness.Alerts.RaiseAsync(findings, CancellationToken.None);
        var before = (await _harness.AuditEntriesAsync()).Count;

        for (var window = 0; window < 5; window++)
        {
            _harness.Clock.Advance(TimeSpan.FromMinutes(1));
            var changes = await _harness.Alerts.RaiseAsync(Enumerable.Range(1, 20).Select(i => _harness.Finding($"d{i}", "baseline.bytes-in")).ToArray(), CancellationToken.None);
            Assert.All(changes, c => Assert.Equal(AlertChangeKind.Seen, c.Kind));
        }

        var added = (await _harness.AuditEntriesAsync()).Skip(before).ToArray();
        Assert.Equal(5, added.Length);
        Assert.All(added, e => Assert.Equal("alert.seen", e.Action));
        Assert.Contains("\"count\":\"20\"", added[0].Details, StringComparison.Ordinal);
        var alert = (await _harness.Alerts.ListAsync(new AlertQuery(DeviceId: "d7"), CancellationToken.None)).Single();
        Assert.Equal(6, alert.Occurrences);
        Assert.Equal(_harness.Clock.GetUtcNow(), alert.LastSeen);
    }
}
