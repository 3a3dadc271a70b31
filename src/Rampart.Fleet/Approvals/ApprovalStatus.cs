namespace Rampart.Fleet.Approvals;

/// <summary>Where a request for approval stands.</summary>
public enum ApprovalStatus
{
    /// <summary>Waiting for a second person.</summary>
    Pending,

    /// <summary>Approved and carried out.</summary>
    Executed,

    /// <summary>Approved, but carrying it out failed.</summary>
    Failed,

    /// <summary>Refused by a second person.</summary>
    Denied,

    /// <summary>Nobody decided before the deadline.</summary>
    Expired,
}
