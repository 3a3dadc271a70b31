using Rampart.Posture.Evidence;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Models;
using Rampart.Posture.Procurement;
using Rampart.Posture.Zones;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>Fleet posture's stores (issue 18), the same on every provider: models, posture reports, confinements, audit runs, suppressions, snapshots.</summary>
public abstract class PostureStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    private const string ModelYaml = """
        vendor: Acme
        model: Cam-2
        capabilities:
          credentials: universal-default-password
          update: { mechanism: signed, supportUntil: 2030-01-01 }
        """;

    private FleetEvidenceLoader Loader() => new(Stores.Devices, Stores.Rollouts, Stores.Users, Stores.FleetEvidence, Stores.DeviceModels, Stores.PostureReports,
        Stores.Confinements, new NoVulnerabilitySource(), Clock);

    [Fact]
    public async Task A_model_is_stored_with_its_verdict_and_replacing_it_keeps_one_row_audited_both_times()
    {
        var registry = new ModelRegistry(Stores.DeviceModels, Audit, Clock);
        var first = await registry.AddAsync(System.Text.Encoding.UTF8.GetBytes(ModelYaml), "alice", CancellationToken.None);
        await registry.AddAsync(System.Text.Encoding.UTF8.GetBytes(ModelYaml.Replace("signed,", "signed-with-rollback-protection,", StringComparison.Ordinal)), "bob", CancellationToken.None);

        var stored = await Stores.DeviceModels.GetAsync("Acme/Cam-2", CancellationToken.None);
        Assert.False(first.Admission.Admitted);
        Assert.NotNull(stored);
        Assert.Equal(("bob", UpdateMechanism.SignedWithRollbackProtection, false), (stored.AddedBy, stored.Model.Capabilities.Update.Mechanism, stored.Admission.Admitted));
        Assert.Contains(stored.Admission.Failed, f => f.Id == "5.1-1");
        Assert.Single(await Stores.DeviceModels.ListAsync(CancellationToken.None));
        var actions = await ActionsAsync();
        Assert.Contains("posture.model-added", actions);
        Assert.Contains("posture.model-replaced", actions);
        Assert.True((await VerifyAsync()).IsIntact);
    }

    [Fact]
    public async Task A_posture_report_replaces_the_older_one_and_an_older_report_is_ignored()
    {
        await Stores.PostureReports.RecordAsync([new ReportedPosture("d1", "1.0", "m1", [22, 443], Start.AddMinutes(1)), new ReportedPosture("d2", null, null, [], Start)], CancellationToken.None);
        await Stores.PostureReports.RecordAsync([new ReportedPosture("d1", "1.1", "m2", [443], Start.AddMinutes(2))], CancellationToken.None);
        await Stores.PostureReports.RecordAsync([new ReportedPosture("d1", "0.9", "old", [23], Start)], CancellationToken.None);

        var reports = (await Stores.PostureReports.ListAsync(CancellationToken.None)).ToDictionary(r => r.DeviceId);
        Assert.Equal(("1.1", "m2", Start.AddMinutes(2)), (reports["d1"].FirmwareVersion, reports["d1"].Measurement, reports["d1"].Reported));
        Assert.Equal([443], reports["d1"].ListeningPorts);
        Assert.Empty(reports["d2"].ListeningPorts);
    }

    [Fact]
    public async Task A_confinement_is_released_once_and_a_released_device_can_be_confined_again()
    {
        var confine = new Confinement("d1", "support ended", "system:zones", Start);
        Assert.True(await AuditedAsync(t => Stores.Confinements.TryConfineAsync(t, confine, CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.Confinements.TryConfineAsync(t, confine, CancellationToken.None)));
        Assert.True(await AuditedAsync(t => Stores.Confinements.TryReleaseAsync(t, "d1", "alice", "replaced the battery", Start.AddHours(1), CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.Confinements.TryReleaseAsync(t, "d1", "alice", "again", Start.AddHours(2), CancellationToken.None)));

        var released = (await Stores.Confinements.ListAsync(CancellationToken.None)).Single();
        Assert.Equal((false, "alice", "replaced the battery", Start.AddHours(1)), (released.Active, released.ReleasedBy!, released.ReleaseReason!, released.Released!.Value));

        Assert.True(await AuditedAsync(t => Stores.Confinements.TryConfineAsync(t, confine with { Reason = "by hand", Since = Start.AddDays(1) }, CancellationToken.None)));
        Assert.Equal(("by hand", true), ((await Stores.Confinements.ListAsync(CancellationToken.None)).Single().Reason, (await Stores.Confinements.ListAsync(CancellationToken.None)).Single().Active));
    }

    [Fact]
    public async Task Every_audit_run_is_kept_and_a_suppression_lapses_at_its_date_so_the_finding_returns()
    {
        var service = new FleetAuditService(Loader(), Stores.FleetAudits, Audit, Environment, new FleetAuditOptions(), Clock);

        var (first, firstDiff) = await service.RunAsync("on-demand", "alice", CancellationToken.None);
        Assert.Null(firstDiff.Previous);
        Assert.Equal(CheckStatus.NonCompliant, first.Checks.Single(c => c.Check == "logging-export-disabled").Status);

        await service.SuppressAsync("logging-export-disabled", "node/export", Start.AddDays(1), "the SIEM arrives next week", "alice", CancellationToken.None);
        var (second, secondDiff) = await service.RunAsync("on-demand", "alice", CancellationToken.None);
        var suppressed = second.Checks.Single(c => c.Check == "logging-export-disabled");
        Assert.Equal((CheckStatus.Compliant, 1), (suppressed.Status, suppressed.Suppressed));
        Assert.Contains(secondDiff.Checks, c => c.Check == "logging-export-disabled" && c.ResolvedResources.Contains("node/export"));

        Clock.Advance(TimeSpan.FromDays(2));
        var (third, thirdDiff) = await service.RunAsync("scheduled", "system:fleet-audit", CancellationToken.None);
        Assert.Equal(CheckStatus.NonCompliant, third.Checks.Single(c => c.Check == "logging-export-disabled").Status);
        Assert.Contains(thirdDiff.Checks, c => c.Check == "logging-export-disabled" && c.NewResources.Contains("node/export"));

        Assert.Equal([third.Id, second.Id, first.Id], (await service.ListAsync(10, CancellationToken.None)).Select(r => r.Id));
        Assert.Equal(second.Id, (await Stores.FleetAudits.PreviousRunAsync(third.Id, CancellationToken.None))!.Id);
        Assert.Equal(3, (await Stores.FleetAudits.SnapshotsAsync(Start, CancellationToken.None)).Count);
        var actions = await ActionsAsync();
        Assert.Equal(3, actions.Count(a => a == "posture.audit-run"));
        Assert.Contains("posture.finding-suppressed", actions);
        Assert.True((await VerifyAsync()).IsIntact);
    }

    [Fact]
    public async Task A_suppression_beyond_a_year_or_for_an_unknown_check_is_refused()
    {
        var service = new FleetAuditService(Loader(), Stores.FleetAudits, Audit, Environment, new FleetAuditOptions(), Clock);

        await Assert.ThrowsAsync<Rampart.Fleet.Errors.FleetException>(() => service.SuppressAsync("logging-export-disabled", null, Start.AddDays(400), "why", "alice", CancellationToken.None));
        await Assert.ThrowsAsync<Rampart.Fleet.Errors.FleetException>(() => service.SuppressAsync("no-such-check", null, Start.AddDays(1), "why", "alice", CancellationToken.None));
        Assert.Empty(await service.SuppressionsAsync(CancellationToken.None));
    }

    private async Task<string[]> ActionsAsync()
    {
        var actions = new List<string>();
        await foreach (var entry in Stores.Audit.ReadEntriesAsync(1, CancellationToken.None))
        {
            actions.Add(entry.Action);
        }

        return [.. actions];
    }

    private static AuditEnvironment Environment()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var ca = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Test CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(Start.AddDays(-1), Start.AddYears(10));
        return new AuditEnvironment(ca, ca, new Dictionary<string, Rampart.Fleet.Permissions.ServicePermissions>(), null, null, ZonePolicy.Default);
    }
}
