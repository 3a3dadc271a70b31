using Rampart.Fleet.Audit;

namespace Rampart.Detection.Profiles;

/// <summary>The static rules operators set through the API, kept as the document they sent (validated before it is stored).</summary>
public interface IRuleDocumentStore
{
    /// <summary>The stored document, or null when none was set.</summary>
    Task<string?> GetAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the document inside an audited transaction.</summary>
    Task SetAsync(IStoreTransaction transaction, string document, string updatedBy, CancellationToken cancellationToken);
}
