namespace Rampart.Fleet.Enrollment;

/// <summary>
/// A check in front of the CA after an authoriser granted the request: a capability may refuse a device
/// it judges unfit (issue 18: a device of a model the procurement gate refused). Runs before the CSR is read.
/// </summary>
public interface IEnrollmentPolicy
{
    /// <summary>A refusal for <paramref name="deviceId"/>, or null to let enrollment go on.</summary>
    Task<EnrollmentRefusal?> CheckAsync(EstOperation operation, string deviceId, CancellationToken cancellationToken);
}
