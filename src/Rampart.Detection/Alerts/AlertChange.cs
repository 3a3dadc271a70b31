namespace Rampart.Detection.Alerts;

/// <summary>How a finding or a person changed an alert; each change is audited and published as <c>alert.{kind}</c>.</summary>
public enum AlertChangeKind
{
    Opened,
    Escalated,
    Seen,
    Acknowledged,
    Resolved,
    Suppressed,
}

/// <summary>An alert after a change.</summary>
public sealed record AlertChange(Alert Alert, AlertChangeKind Kind);
