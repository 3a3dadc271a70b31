using Rampart.Posture.FleetAudit;

namespace Rampart.Posture.Tests.FleetAudit;

/// <summary>Each audit check fires on a crafted fleet and not on a clean one (issue 18, "Tests").</summary>
public sealed class AuditCheckTests
{
    public static TheoryData<string, string> Checks()
    {
        // The resource each check must name on the crafted fleet.
        return new TheoryData<string, string>
        {
            { "ca-certificate-expiring", "ca/root" },
            { "ca-key-quality", "ca/root" },
            { "device-certificate-expiring", "certificate/02" },
            { "device-certificate-key-quality", "certificate/02" },
            { "device-certificate-age", "certificate/02" },
            { "device-certificate-shared", "device/d-clone" },
            { "revoked-device-certificate-still-active", "certificate/03" },
            { "issuing-ca-revoked-for-active-certificates", "certificate/04" },
            { "conflicting-client-ids", "device/d-clone" },
            { "overly-permissive-service-template", "service/debug" },
            { "potentially-misconfigured-service-template", "service/debug" },
            { "logging-export-disabled", "node/export" },
            { "unsupported-firmware", "device/d-old" },
            { "never-updated", "device/d-old" },
            { "exposed-to-known-vulnerability", "device/d-old" },
            { "insecure-services-listening", "device/d-old" },
            { "long-quarantine", "device/d-quarantined" },
            { "unused-bootstrap-tokens-near-expiry", "device/d-new" },
            { "operators-without-mfa", "user/bob" },
        };
    }

    [Fact]
    public void Every_check_is_covered_by_these_tests()
    {
        Assert.Equal(AuditChecks.All.Select(c => c.Id).Order(), Checks().Select(row => (string)row[0]).Order());
    }

    [Theory]
    [MemberData(nameof(Checks))]
    public void A_check_fires_on_the_crafted_fleet_naming_the_resource(string id, string resource)
    {
        var result = AuditChecks.Run(Fleets.Crafted(), []).Single(c => c.Check == id);

        Assert.Equal(CheckStatus.NonCompliant, result.Status);
        Assert.Contains(result.Resources, r => AuditChecks.ResourceName(r) == resource);
        Assert.False(string.IsNullOrWhiteSpace(result.Fix));
    }

    [Theory]
    [MemberData(nameof(Checks))]
    public void A_check_finds_nothing_on_the_clean_fleet(string id, string resource)
    {
        var result = AuditChecks.Run(Fleets.Clean(), []).Single(c => c.Check == id);

        Assert.True(result.Status == CheckStatus.Compliant, $"{id}: {result.Status} {result.Summary} {string.Join(", ", result.Resources)} (not {resource})");
        Assert.Empty(result.Resources);
    }

    [Fact]
    public void Without_a_vulnerability_source_or_live_sessions_the_checks_are_not_assessable_not_passed()
    {
        var context = Fleets.Crafted();
        context = context with
        {
            Evidence = new Rampart.Posture.Evidence.FleetEvidence
            {
                Now = context.Now, Devices = context.Evidence.Devices, Certificates = context.Evidence.Certificates, SharedKeys = context.Evidence.SharedKeys,
                Postures = context.Evidence.Postures, Firmware = context.Evidence.Firmware, OpenAlerts = context.Evidence.OpenAlerts, Models = context.Evidence.Models,
                Confinements = context.Evidence.Confinements, UnusedTokens = context.Evidence.UnusedTokens, Users = context.Evidence.Users, Events = context.Evidence.Events,
                Exposure = new Rampart.Posture.Evidence.NoVulnerabilitySource(),
            },
            Environment = context.Environment with { Sessions = null },
        };
        var results = AuditChecks.Run(context, []).ToDictionary(c => c.Check);

        Assert.Equal(CheckStatus.NotAssessable, results["exposed-to-known-vulnerability"].Status);
        Assert.Contains("supply chain", results["exposed-to-known-vulnerability"].Summary, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.NotAssessable, results["revoked-device-certificate-still-active"].Status);
    }

    [Fact]
    public void A_suppression_leaves_out_its_resource_or_its_whole_check_and_says_so()
    {
        var now = Subjects.Now;
        var suppressions = new[]
        {
            new Suppression(1, "unsupported-firmware", "device/d-old", now.AddDays(1), "replacement ordered", "alice", now),
            new Suppression(2, "operators-without-mfa", null, now.AddDays(1), "migration", "alice", now),
        };
        var results = AuditChecks.Run(Fleets.Crafted(), suppressions).ToDictionary(c => c.Check);

        Assert.Equal((CheckStatus.Compliant, 1), (results["unsupported-firmware"].Status, results["unsupported-firmware"].Suppressed));
        Assert.Contains("suppressed", results["unsupported-firmware"].Summary, StringComparison.Ordinal);
        Assert.Equal((CheckStatus.Compliant, 1), (results["operators-without-mfa"].Status, results["operators-without-mfa"].Suppressed));
        Assert.Equal(CheckStatus.NonCompliant, results["insecure-services-listening"].Status);
    }

    [Fact]
    public void The_difference_from_the_previous_run_names_new_and_resolved_resources()
    {
        var now = Subjects.Now;
        var before = new AuditRun(1, now, now, "on-demand", "alice", 5, AuditChecks.Run(Fleets.Clean(), []));
        var after = new AuditRun(2, now, now, "scheduled", "system", 5, AuditChecks.Run(Fleets.Crafted(), []));

        var worse = AuditDiff.Between(after, before);
        var better = AuditDiff.Between(before with { Id = 3 }, after);

        Assert.Contains(worse.Checks, c => c.Check == "unsupported-firmware" && c.NewResources.Contains("device/d-old") && c.Was == CheckStatus.Compliant);
        Assert.Contains(better.Checks, c => c.Check == "unsupported-firmware" && c.ResolvedResources.Contains("device/d-old") && c.Now == CheckStatus.Compliant);
        Assert.Empty(AuditDiff.Between(after, after).Checks);
    }

    [Fact]
    public void Certificates_of_the_issuing_ca_a_rollover_replaced_become_findings_only_when_its_overlap_ends()
    {
        var context = Fleets.Crafted();
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var replaced = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Some Retired CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(context.Now.AddDays(-100), context.Now.AddDays(100));
        AuditContext Overlap(DateTimeOffset until) => context with { Environment = context.Environment with { PreviousIssuingCa = replaced, PreviousTrustedUntil = until } };

        var during = AuditChecks.Run(Overlap(context.Now.AddSeconds(1)), []).Single(c => c.Check == "issuing-ca-revoked-for-active-certificates");
        var ended = AuditChecks.Run(Overlap(context.Now), []).Single(c => c.Check == "issuing-ca-revoked-for-active-certificates");

        Assert.DoesNotContain(during.Resources, r => AuditChecks.ResourceName(r) == "certificate/04");
        Assert.Contains(ended.Resources, r => AuditChecks.ResourceName(r) == "certificate/04");
    }
}
