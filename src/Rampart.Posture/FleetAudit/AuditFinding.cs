namespace Rampart.Posture.FleetAudit;

/// <summary>How bad a finding is (AWS IoT Device Defender's audit severities).</summary>
public enum FindingSeverity
{
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>What a check found: compliant, non-compliant resources, or that it cannot be judged here.</summary>
public enum CheckStatus
{
    Compliant,
    NonCompliant,
    NotAssessable,
}

/// <summary>One check's result in one run.</summary>
/// <param name="Resources">The non-compliant resources (<c>device/d1</c>, <c>certificate/0A…</c>), at most <see cref="MaxResources"/> kept.</param>
/// <param name="ResourceCount">How many there were in all.</param>
/// <param name="Suppressed">Resources left out by an active suppression.</param>
public sealed record CheckResult(
    string Check, string Title, CheckStatus Status, FindingSeverity Severity, string Summary, IReadOnlyList<string> Resources, int ResourceCount, int Suppressed, string Fix)
{
    public const int MaxResources = 1000;
}

/// <summary>One run of the fleet audit: every check's result.</summary>
/// <param name="Trigger"><c>on-demand</c> or <c>scheduled</c>.</param>
public sealed record AuditRun(long Id, DateTimeOffset Started, DateTimeOffset Finished, string Trigger, string Actor, int Devices, IReadOnlyList<CheckResult> Checks)
{
    public int NonCompliant => Checks.Count(c => c.Status == CheckStatus.NonCompliant);
}

/// <summary>A finding left out until <see cref="Until"/>: one resource of a check, or the whole check when <see cref="Resource"/> is null.</summary>
public sealed record Suppression(long Id, string Check, string? Resource, DateTimeOffset Until, string Reason, string By, DateTimeOffset Created);
