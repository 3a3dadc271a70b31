using Rampart.Fleet.Audit;

namespace Rampart.Fleet.Approvals;

/// <summary>Four-eyes requests.</summary>
public interface IApprovalStore
{
    /// <summary>Stores a pending request; returns its id.</summary>
    Task<long> AddAsync(IStoreTransaction transaction, Approval approval, CancellationToken cancellationToken);

    /// <summary>The request, or null.</summary>
    Task<Approval?> GetAsync(long id, CancellationToken cancellationToken);

    /// <summary>Requests, newest first, optionally in one status.</summary>
    Task<IReadOnlyList<Approval>> ListAsync(ApprovalStatus? status, int limit, CancellationToken cancellationToken);

    /// <summary>Moves a pending request to <paramref name="to"/>; false when it was no longer pending.</summary>
    Task<bool> TryDecideAsync(IStoreTransaction transaction, long id, ApprovalStatus to, string decidedBy, DateTimeOffset at, string? result, CancellationToken cancellationToken);

    /// <summary>Records the outcome of carrying out an approved request.</summary>
    Task SetOutcomeAsync(IStoreTransaction transaction, long id, ApprovalStatus status, string result, CancellationToken cancellationToken);
}
