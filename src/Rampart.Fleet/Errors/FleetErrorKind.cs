namespace Rampart.Fleet.Errors;

/// <summary>Kinds of refusal (HTTP status in brackets).</summary>
public enum FleetErrorKind
{
    /// <summary>The input is malformed or out of range (400).</summary>
    Invalid,

    /// <summary>The named thing does not exist (404).</summary>
    NotFound,

    /// <summary>The thing exists already, or its state forbids the operation (409).</summary>
    Conflict,

    /// <summary>The caller is known but may not do this (403).</summary>
    Forbidden,

    /// <summary>The caller could not be authenticated (401).</summary>
    Unauthorized,

    /// <summary>Too many failures; retry later (429).</summary>
    RateLimited,
}
