using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Detection.Response;
using Rampart.Detection.Tests.Alerts;

namespace Rampart.Detection.Tests.Response;

public sealed class ResponseEngineTests : IAsyncLifetime
{
    private AlertHarness _harness = null!;
    private readonly RecordingContainment _containment = new();

    public async Task InitializeAsync() => _harness = await AlertHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private ResponseEngine Engine(ResponseOptions options) => new(options, _containment, _harness.Alerts, _harness.Clock, _harness.Meter);

    private async Task<Alert> RaiseAndRespondAsync(ResponseEngine engine, string device, string detector = "novelty.listening-port", AlertSeverity severity = AlertSeverity.High)
    {
        var changes = await _harness.Alerts.RaiseAsync([_harness.Finding(device, detector, severity)], CancellationToken.None);
        await engine.HandleAsync(changes, CancellationToken.None);
        return await _harness.Alerts.GetAsync(changes[0].Alert.Id, CancellationToken.None);
    }

    [Fact]
    public async Task Past_the_guard_rail_the_next_containment_waits_for_a_person_until_the_period_has_passed()
    {
        var engine = Engine(new ResponseOptions { MaxAutomaticContainments = 2 });

        var first = await RaiseAndRespondAsync(engine, "d1");
        var second = await RaiseAndRespondAsync(engine, "d2");
        var third = await RaiseAndRespondAsync(engine, "d3");
        _harness.Clock.Advance(TimeSpan.FromMinutes(10));
        var later = await RaiseAndRespondAsync(engine, "d4");

        Assert.Equal(["d1", "d2", "d4"], _containment.Done.Select(d => d.Device));
        Assert.Equal("quarantined", first.Response);
        Assert.Equal("quarantined", second.Response);
        Assert.Equal("held: quarantine waits for a person", third.Response);
        Assert.Equal("quarantined", later.Response);
        Assert.StartsWith($"alert {first.Id} (novelty.listening-port): ", _containment.Done[0].Reason, StringComparison.Ordinal);

        var held = Assert.Single(_harness.Published(), e => e.Kind == "response.held");
        Assert.Equal("d3", held.DeviceId);
        Assert.Equal(third.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), held.Details["alert"]);
        Assert.Contains("2 automatic containments per 10 min", held.Details["why"], StringComparison.Ordinal);
        var audited = (await _harness.AuditEntriesAsync()).Where(e => e.Action.StartsWith("response.", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["response.quarantine", "response.quarantine", "response.held", "response.quarantine"], audited.Select(e => e.Action));
        Assert.Equal($"alert/{third.Id}", audited[2].Target);
    }

    [Fact]
    public async Task A_revocation_past_the_guard_rail_waits_for_two_people()
    {
        var engine = Engine(new ResponseOptions
        {
            MaxAutomaticContainments = 0,
            Rules = [new ResponseRule { Detectors = ["gateway.*"], MinimumSeverity = AlertSeverity.High, Action = ResponseAction.Revoke }],
        });

        var alert = await RaiseAndRespondAsync(engine, "d1", "gateway.cloned-identity");

        Assert.Empty(_containment.Done);
        Assert.Equal("held: revoke waits for two people (four-eyes: rampart approvals)", alert.Response);
    }

    [Fact]
    public async Task Only_alerts_the_policy_names_at_its_severity_are_acted_on_and_a_repeat_finding_acts_no_more()
    {
        var engine = Engine(new ResponseOptions
        {
            Rules =
            [
                new ResponseRule { Detectors = ["sequence.*"], MinimumSeverity = AlertSeverity.High, Action = ResponseAction.Disconnect },
                new ResponseRule { Detectors = ["*"], MinimumSeverity = AlertSeverity.Critical, Action = ResponseAction.Quarantine },
            ],
        });

        await RaiseAndRespondAsync(engine, "d1", "baseline.bytes-in", AlertSeverity.High);
        await RaiseAndRespondAsync(engine, "d2", "sequence.tamper", AlertSeverity.High);
        await RaiseAndRespondAsync(engine, "d2", "sequence.tamper", AlertSeverity.High);
        await RaiseAndRespondAsync(engine, "d3", "sequence.tamper", AlertSeverity.Medium);
        await RaiseAndRespondAsync(engine, "d4", "baseline.bytes-in", AlertSeverity.Critical);

        Assert.Equal([("disconnect", "d2"), ("quarantine", "d4")], _containment.Done.Select(d => (d.Action, d.Device)));
    }
}
