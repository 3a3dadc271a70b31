namespace Rampart.Posture.FleetAudit;

/// <summary>The fleet audit's thresholds and schedule (<c>Rampart:Posture:Audit</c>).</summary>
public sealed class FleetAuditOptions
{
    /// <summary>Run the audit on a schedule (besides on demand).</summary>
    public bool Scheduled { get; set; } = true;

    /// <summary>Time between scheduled runs: daily by default.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How often the schedules (audit, automatic confinement) are looked at against the node's clock. The
    /// schedules themselves follow the clock, so a test's manual clock moves them; this is only the polling period.
    /// </summary>
    public TimeSpan Poll { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A CA certificate expiring within this many days is a finding.</summary>
    public int CaExpiryDays { get; set; } = 90;

    /// <summary>A live device certificate expiring within this many days is a finding.</summary>
    public int DeviceCertificateExpiryDays { get; set; } = 30;

    /// <summary>A live device certificate older than this many days is a finding (keys should be rotated).</summary>
    public int DeviceCertificateMaxAgeDays { get; set; } = 365;

    /// <summary>An active device with no firmware report through Rampart's update channel for this many days is a finding.</summary>
    public int NeverUpdatedDays { get; set; } = 180;

    /// <summary>A device quarantined for longer than this many days is a finding.</summary>
    public int LongQuarantineDays { get; set; } = 7;

    /// <summary>An unused bootstrap token expiring within this many hours is a finding.</summary>
    public int TokenExpiryHours { get; set; } = 24;

    /// <summary>Session take-overs of one client id within a day from which it is a conflict finding.</summary>
    public int ConflictingSessionTakeovers { get; set; } = 5;

    public IEnumerable<string> Problems()
    {
        if (Interval < TimeSpan.FromMinutes(1))
        {
            yield return "Posture:Audit:Interval must be at least one minute";
        }

        if (Poll < TimeSpan.FromMilliseconds(50) || Poll > TimeSpan.FromHours(1))
        {
            yield return "Posture:Audit:Poll must be between 50 ms and one hour";
        }

        if (new[] { CaExpiryDays, DeviceCertificateExpiryDays, DeviceCertificateMaxAgeDays, NeverUpdatedDays, LongQuarantineDays, TokenExpiryHours, ConflictingSessionTakeovers }.Any(v => v < 1))
        {
            yield return "Posture:Audit: every threshold must be at least 1";
        }
    }
}
