using Rampart.Posture.FleetAudit.Checks;

namespace Rampart.Posture.FleetAudit;

/// <summary>Every check of the fleet audit, in the order reports list them (docs/posture.md).</summary>
public static class AuditChecks
{
    public static IReadOnlyList<IAuditCheck> All { get; } =
    [
        new CaCertificateExpiring(), new CaKeyQuality(), new DeviceCertificateExpiring(), new DeviceCertificateKeyQuality(), new DeviceCertificateAge(),
        new DeviceCertificateShared(), new RevokedCertificateStillActive(), new IssuingCaReplaced(), new ConflictingClientIds(),
        new OverlyPermissiveTemplates(), new MisconfiguredTemplates(), new ExportDisabled(),
        new UnsupportedFirmware(), new NeverUpdated(), new VulnerableDevices(), new InsecureServicesListening(), new LongQuarantines(),
        new UnusedBootstrapTokens(), new OperatorsWithoutMfa(),
    ];

    /// <summary>Runs every check and leaves out what active suppressions cover.</summary>
    public static IReadOnlyList<CheckResult> Run(AuditContext context, IReadOnlyList<Suppression> suppressions) =>
        All.AsParallel().AsOrdered().Select(check => Apply(check, check.Run(context), suppressions)).ToArray();

    private static CheckResult Apply(IAuditCheck check, CheckOutcome outcome, IReadOnlyList<Suppression> suppressions)
    {
        var mine = suppressions.Where(s => s.Check == check.Id).ToArray();
        var whole = mine.Any(s => s.Resource is null);
        var suppressedResources = mine.Where(s => s.Resource is not null).Select(s => s.Resource!).ToHashSet(StringComparer.Ordinal);

        // A resource is suppressed by its own name (device/d1) — the text after it in parentheses is detail.
        var kept = whole ? [] : outcome.Resources.Where(r => !suppressedResources.Contains(ResourceName(r))).ToArray();
        var suppressed = outcome.Resources.Count - kept.Length;
        var status = outcome.Status == CheckStatus.NonCompliant && kept.Length == 0 ? CheckStatus.Compliant : outcome.Status;
        var summary = suppressed > 0 ? $"{(kept.Length == 0 ? "none" : $"{kept.Length} left of {outcome.Summary}")}; {suppressed} suppressed" : outcome.Summary;
        return new CheckResult(check.Id, check.Title, status, check.Severity, summary, kept.Take(CheckResult.MaxResources).ToArray(), kept.Length, suppressed, check.Fix);
    }

    /// <summary>A resource's name without its detail: <c>device/d1 (…)</c> → <c>device/d1</c>.</summary>
    public static string ResourceName(string resource) => resource.IndexOf(" (", StringComparison.Ordinal) is var space and > 0 ? resource[..space] : resource;
}
