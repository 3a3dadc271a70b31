namespace Rampart.Fleet.Operators;

/// <summary>A role: a named set of permissions, and whether TOTP is mandatory for it.</summary>
public sealed record OperatorRole(string Name, IReadOnlySet<string> Permissions, bool RequiresTotp)
{
    /// <summary>Users, roles, the CA and system settings.</summary>
    public static OperatorRole Admin { get; } = new("admin", Set(
        Operators.Permissions.UsersRead, Operators.Permissions.UsersWrite, Operators.Permissions.SystemWrite, Operators.Permissions.CertsIssue,
        Operators.Permissions.VendorsWrite, Operators.Permissions.DevicesRead, Operators.Permissions.CertsRead, Operators.Permissions.EventsRead,
        Operators.Permissions.ApprovalsRead, Operators.Permissions.MetricsRead), RequiresTotp: true);

    /// <summary>Revoke, quarantine, approve releases, read the audit log.</summary>
    public static OperatorRole SecurityOfficer { get; } = new("security-officer", Set(
        Operators.Permissions.CertsRevoke, Operators.Permissions.DevicesQuarantine, Operators.Permissions.ReleasesApprove, Operators.Permissions.AuditRead,
        Operators.Permissions.DevicesRead, Operators.Permissions.CertsRead, Operators.Permissions.EventsRead, Operators.Permissions.ApprovalsRead,
        Operators.Permissions.MetricsRead), RequiresTotp: true);

    /// <summary>Devices, staged releases, and rollouts of approved releases.</summary>
    public static OperatorRole Operator { get; } = new("operator", Set(
        Operators.Permissions.DevicesRead, Operators.Permissions.DevicesWrite, Operators.Permissions.ReleasesWrite, Operators.Permissions.RolloutsWrite, Operators.Permissions.CertsRead,
        Operators.Permissions.EventsRead, Operators.Permissions.ApprovalsRead, Operators.Permissions.MetricsRead), RequiresTotp: false);

    /// <summary>Reads everything, the audit log and personal data included; changes nothing.</summary>
    public static OperatorRole Auditor { get; } = new("auditor", Set(
        Operators.Permissions.DevicesRead, Operators.Permissions.CertsRead, Operators.Permissions.EventsRead, Operators.Permissions.AuditRead,
        Operators.Permissions.UsersRead, Operators.Permissions.ApprovalsRead, Operators.Permissions.PersonalDataRead), RequiresTotp: false);

    /// <summary>Data subjects' requests (issue 19): subjects, consents, export and erasure, apart from running the fleet (GDPR art. 38–39).</summary>
    public static OperatorRole PrivacyOfficer { get; } = new("privacy-officer", Set(
        Operators.Permissions.PrivacyAdmin, Operators.Permissions.PersonalDataRead, Operators.Permissions.AuditRead, Operators.Permissions.DevicesRead,
        Operators.Permissions.EventsRead, Operators.Permissions.ApprovalsRead), RequiresTotp: true);

    /// <summary>Fleet status without personal data.</summary>
    public static OperatorRole Viewer { get; } = new("viewer", Set(Operators.Permissions.DevicesRead), RequiresTotp: false);

    /// <summary>The local admin socket: the node's own user, who holds the files anyway.</summary>
    public static OperatorRole LocalAdmin { get; } = new("local-admin", Set([.. Operators.Permissions.All]), RequiresTotp: false);

    /// <summary>The roles an operator can be given.</summary>
    public static IReadOnlyList<OperatorRole> Assignable { get; } = [Admin, SecurityOfficer, Operator, Auditor, Viewer, PrivacyOfficer];

    /// <summary>The role with this name, or null.</summary>
    public static OperatorRole? Find(string? name) => Assignable.FirstOrDefault(role => role.Name == name);

    private static HashSet<string> Set(params string[] permissions) => new(permissions, StringComparer.Ordinal);
}
