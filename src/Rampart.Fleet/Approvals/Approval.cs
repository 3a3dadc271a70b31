namespace Rampart.Fleet.Approvals;

/// <summary>A four-eyes request: an operation that takes effect only when a different person with its permission approves.</summary>
public sealed record Approval(
    long Id,
    string Operation,
    string Summary,
    string Payload,
    string Permission,
    string RequestedBy,
    DateTimeOffset Requested,
    DateTimeOffset Expires,
    ApprovalStatus Status,
    string? DecidedBy,
    DateTimeOffset? Decided,
    string? Result);
