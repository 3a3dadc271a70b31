namespace Rampart.Fleet.Audit;

/// <summary>How an audited operation ended.</summary>
public enum AuditOutcome
{
    /// <summary>The operation took effect.</summary>
    Success,

    /// <summary>The operation was attempted and failed.</summary>
    Failure,

    /// <summary>The operation was refused by a security decision.</summary>
    Denied,
}
