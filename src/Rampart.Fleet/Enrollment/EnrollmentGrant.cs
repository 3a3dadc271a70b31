namespace Rampart.Fleet.Enrollment;

/// <summary>An authoriser's yes: the verified device id, and how to spend the credential once the CSR is accepted.</summary>
public sealed record EnrollmentGrant(string DeviceId, string Method, Func<CancellationToken, Task<bool>> CommitAsync);
