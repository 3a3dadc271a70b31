namespace Rampart.Fleet.Operators;

/// <summary>Fine-grained permissions; roles are sets of them.</summary>
public static class Permissions
{
    public const string DevicesRead = "devices:read";
    public const string DevicesWrite = "devices:write";
    public const string DevicesQuarantine = "devices:quarantine";
    public const string CertsRead = "certs:read";
    public const string CertsRevoke = "certs:revoke";
    public const string CertsIssue = "certs:issue";
    public const string VendorsWrite = "vendors:write";
    public const string EventsRead = "events:read";
    public const string AuditRead = "audit:read";
    public const string UsersRead = "users:read";
    public const string UsersWrite = "users:write";
    public const string ApprovalsRead = "approvals:read";
    public const string ReleasesWrite = "releases:write";
    public const string ReleasesApprove = "releases:approve";
    public const string RolloutsWrite = "rollouts:write";
    public const string PersonalDataRead = "personal-data:read";
    public const string SystemWrite = "system:write";

    /// <summary>Data subjects' requests and records (issue 19): subjects, consents, export, erasure and its approval, the telemetry archive.</summary>
    public const string PrivacyAdmin = "privacy:admin";

    /// <summary>Scrape <c>/metrics</c> and read the export status (figures, no personal data).</summary>
    public const string MetricsRead = "metrics:read";

    /// <summary>Every permission.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        DevicesRead, DevicesWrite, DevicesQuarantine, CertsRead, CertsRevoke, CertsIssue, VendorsWrite, EventsRead, AuditRead,
        UsersRead, UsersWrite, ApprovalsRead, ReleasesWrite, ReleasesApprove, RolloutsWrite, PersonalDataRead, SystemWrite, MetricsRead,
        PrivacyAdmin,
    ];
}
