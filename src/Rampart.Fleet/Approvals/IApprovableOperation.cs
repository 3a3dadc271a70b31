namespace Rampart.Fleet.Approvals;

/// <summary>An operation that may need a second person: its name, the permission both people need, and how to carry it out.</summary>
public interface IApprovableOperation
{
    /// <summary>Stable name, e.g. <c>certificates.bulk-revoke</c>.</summary>
    string Name { get; }

    /// <summary>What requester and approver must both hold.</summary>
    string Permission { get; }

    /// <summary>Carries out the approved request; returns a one-line result.</summary>
    Task<string> ExecuteAsync(string payload, string requestedBy, string approvedBy, CancellationToken cancellationToken);
}
