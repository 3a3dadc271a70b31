using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Detection.Response;
using Rampart.Detection.Tests.Alerts;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Operators;
using Rampart.Storage.Approvals;

namespace Rampart.Detection.Tests.Response;

public sealed class ResponseEngineTests : IAsyncLifetime
{
    private AlertHarness _harness = null!;
    private readonly RecordingContainment _containment = new();

    public async Task InitializeAsync() => _harness = await AlertHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private ResponseEngine Engine(ResponseOptions options, ApprovalService? approvals = null) =>
        new(options, _containment, _harness.Alerts, _harness.Budget(options), approvals, _harness.Meter);

    private ApprovalService Approvals() => new(new SqliteApprovalStore(_harness.Database), [new HeldRevocation(_containment, _harness.Alerts)], _harness.Audit, _harness.Clock,
        Options.Create(new ApprovalOptions()));

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
        Assert.Equal(
            ["response.budget-taken", "response.quarantine", "response.budget-taken", "response.quarantine", "response.held", "response.budget-taken", "response.quarantine"],
            audited.Select(e => e.Action));
        Assert.Equal($"alert/{third.Id}", audited[4].Target);
    }

    [Fact]
    public async Task A_revocation_past_the_guard_rail_files_a_four_eyes_request_that_revokes_once_a_person_approves()
    {
        var approvals = Approvals();
        var engine = Engine(new ResponseOptions
        {
            MaxAutomaticContainments = 0,
            Rules = [new ResponseRule { Detectors = ["gateway.*"], MinimumSeverity = AlertSeverity.High, Action = ResponseAction.Revoke }],
        }, approvals);

        var alert = await RaiseAndRespondAsync(engine, "d1", "gateway.cloned-identity", AlertSeverity.Critical);

        Assert.Empty(_containment.Done);
        var request = Assert.Single(await approvals.ListAsync(ApprovalStatus.Pending, CancellationToken.None));
        Assert.Equal((HeldRevocation.OperationName, "detection"), (request.Operation, request.RequestedBy));
        Assert.Equal($"held: revoke waits for a second person (four-eyes: rampart approvals approve {request.Id})", alert.Response);

        var officer = new OperatorIdentity("officer", "security-officer", new HashSet<string> { Permissions.CertsRevoke }, [], []);
        var approved = await approvals.ApproveAsync(request.Id, officer, CancellationToken.None);

        Assert.Equal(ApprovalStatus.Executed, approved.Status);
        Assert.Equal([("revoke", "d1")], _containment.Done.Select(d => (d.Action, d.Device)));
        Assert.Equal("revoked 01AB (approved by officer)", (await _harness.Alerts.GetAsync(alert.Id, CancellationToken.None)).Response);
    }

    [Fact]
    public async Task A_revocation_below_the_automatic_severity_waits_for_a_person_even_within_the_budget()
    {
        var approvals = Approvals();
        var engine = Engine(new ResponseOptions
        {
            Rules = [new ResponseRule { Detectors = ["*"], MinimumSeverity = AlertSeverity.High, Action = ResponseAction.Revoke }],
        }, approvals);

        var high = await RaiseAndRespondAsync(engine, "d1", "gateway.cloned-identity", AlertSeverity.High);
        var critical = await RaiseAndRespondAsync(engine, "d2", "gateway.cloned-identity", AlertSeverity.Critical);

        Assert.Equal([("revoke", "d2")], _containment.Done.Select(d => (d.Action, d.Device)));
        Assert.StartsWith("held: revoke waits for a second person", high.Response, StringComparison.Ordinal);
        Assert.Equal("d1", Assert.Single(await approvals.ListAsync(ApprovalStatus.Pending, CancellationToken.None)).Payload.Split('"')[3]);
        Assert.StartsWith("revoked ", critical.Response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_guard_rail_is_one_budget_for_every_node_on_the_store_and_a_listed_severity_has_its_own()
    {
        var options = new ResponseOptions { MaxAutomaticContainments = 2, MaxAutomaticContainmentsBySeverity = { [AlertSeverity.Critical] = 1 } };

        // Two engines over one database: two nodes of a cluster (or one node before and after a restart).
        var nodeA = Engine(options);
        var nodeB = Engine(options);
        var a1 = await RaiseAndRespondAsync(nodeA, "d1");
        var b1 = await RaiseAndRespondAsync(nodeB, "d2");
        var b2 = await RaiseAndRespondAsync(nodeB, "d3");
        var critical = await RaiseAndRespondAsync(nodeA, "d4", severity: AlertSeverity.Critical);
        var critical2 = await RaiseAndRespondAsync(nodeB, "d5", severity: AlertSeverity.Critical);

        Assert.Equal(["quarantined", "quarantined", "held: quarantine waits for a person", "quarantined", "held: quarantine waits for a person"],
            new[] { a1, b1, b2, critical, critical2 }.Select(a => a.Response));
        Assert.Equal(["d1", "d2", "d4"], _containment.Done.Select(d => d.Device));
        Assert.Equal(0, await _harness.Budget(options).RemainingAsync(AlertSeverity.High, CancellationToken.None));
        _harness.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(2, await _harness.Budget(options).RemainingAsync(AlertSeverity.Medium, CancellationToken.None));
        Assert.Equal(1, await _harness.Budget(options).RemainingAsync(AlertSeverity.Critical, CancellationToken.None));
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
