namespace Rampart.Fleet.Enrollment;

/// <summary>Kinds of enrollment refusal, by the HTTP status they answer with.</summary>
public enum EnrollmentRefusalKind
{
    /// <summary>400: the request itself is wrong (CSR, key).</summary>
    BadRequest,

    /// <summary>401: no or wrong credentials.</summary>
    Unauthenticated,

    /// <summary>403: authenticated, but not allowed now.</summary>
    Forbidden,

    /// <summary>429: too many failures; retry later.</summary>
    RateLimited,
}
