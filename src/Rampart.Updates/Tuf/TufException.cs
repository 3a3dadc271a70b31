namespace Rampart.Updates.Tuf;

/// <summary>Why an update was refused, by the attack or fault the TUF specification names.</summary>
public enum TufFailure
{
    /// <summary>Missing, too large, or not valid metadata.</summary>
    Malformed,

    /// <summary>Not signed by a threshold of the role's keys (malicious mirror, key compromise below threshold).</summary>
    BadSignatures,

    /// <summary>An older version than one already trusted (rollback).</summary>
    Rollback,

    /// <summary>Expired metadata (freeze attack).</summary>
    Expired,

    /// <summary>Versions or hashes that do not agree across roles (mix-and-match).</summary>
    Mismatch,

    /// <summary>A target whose length or hash differs from the signed targets metadata (arbitrary installation, endless data).</summary>
    BadTarget,

    /// <summary>A target the signed metadata does not list.</summary>
    UnknownTarget,
}

/// <summary>An update refused by the TUF client workflow (§5), with the reason.</summary>
public sealed class TufException(TufFailure failure, string message) : Exception(message)
{
    public TufFailure Failure { get; } = failure;
}
