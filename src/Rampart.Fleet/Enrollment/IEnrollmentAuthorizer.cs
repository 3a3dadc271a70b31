namespace Rampart.Fleet.Enrollment;

/// <summary>One enrollment method, in front of the CA (bootstrap token, current certificate, factory certificate).</summary>
public interface IEnrollmentAuthorizer
{
    /// <summary>True when the request's credentials are this method's.</summary>
    bool Handles(EstOperation operation, EstCredentials credentials);

    /// <summary>Grants or refuses; never spends the credential (the grant's commit does).</summary>
    Task<(EnrollmentGrant? Grant, EnrollmentRefusal? Refusal)> AuthorizeAsync(EstOperation operation, EstCredentials credentials, CancellationToken cancellationToken);
}
