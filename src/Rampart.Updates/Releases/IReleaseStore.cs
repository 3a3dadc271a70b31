namespace Rampart.Updates.Releases;

/// <summary>Releases' storage.</summary>
public interface IReleaseStore
{
    /// <summary>Adds a release; false when its id exists.</summary>
    Task<bool> TryAddAsync(Release release, CancellationToken cancellationToken);

    /// <summary>The release, or null.</summary>
    Task<Release?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Releases, newest first.</summary>
    Task<IReadOnlyList<Release>> ListAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Moves a staged release to production; false when it was not staged.</summary>
    Task<bool> TryPromoteAsync(string id, string promotedBy, DateTimeOffset at, CancellationToken cancellationToken);
}
