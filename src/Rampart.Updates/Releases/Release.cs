namespace Rampart.Updates.Releases;

/// <summary>
/// A firmware release: its image and doubly signed manifest are TUF targets; devices may be sent it
/// only once it is in production, which takes a second person's approval.
/// </summary>
public sealed record Release(
    string Id,
    string Model,
    string Version,
    long SecurityVersion,
    IReadOnlyList<string> Hardware,
    string ImageTarget,
    string ManifestTarget,
    string ImageSha256,
    long ImageLength,
    string? SbomSha256,
    ReleaseStatus Status,
    string CreatedBy,
    DateTimeOffset Created,
    string? PromotedBy,
    DateTimeOffset? Promoted)
{
    /// <summary>The id of a model's version: <c>{model}-{version}</c>.</summary>
    public static string IdOf(string model, string version) => $"{model}-{version}";
}

/// <summary>Where a release stands.</summary>
public enum ReleaseStatus
{
    /// <summary>Signed and published as TUF targets; not yet allowed in a rollout.</summary>
    Staged,

    /// <summary>Approved by a second person; rollouts may send it.</summary>
    Production,
}
