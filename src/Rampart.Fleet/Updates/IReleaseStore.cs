using Rampart.Fleet.Audit;
using Rampart.Updates.Releases;

namespace Rampart.Fleet.Updates;

/// <summary>
/// Releases' storage. Its writes are audited, so they take the audit writer's transaction
/// (<see cref="IAuditLog.CommitAsync{T}"/>): a release row or a promotion never exists without its entry.
/// </summary>
public interface IReleaseStore
{
    /// <summary>Adds a release inside <paramref name="transaction"/>; false when its id exists.</summary>
    Task<bool> TryAddAsync(IStoreTransaction transaction, Release release, CancellationToken cancellationToken);

    /// <summary>The release, or null.</summary>
    Task<Release?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Releases, newest first.</summary>
    Task<IReadOnlyList<Release>> ListAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Moves a staged release to production inside <paramref name="transaction"/>; false when it was not staged.</summary>
    Task<bool> TryPromoteAsync(IStoreTransaction transaction, string id, string promotedBy, CancellationToken cancellationToken);
}
