using Rampart.Fleet.Audit;

namespace Rampart.Fleet.Enrollment;

/// <summary>
/// An authoriser's yes: the verified device id, and how to spend the credential once the CSR is
/// accepted — inside the enrollment's audited transaction, so a spent token always has its
/// certificate and audit entry (and a crash before the commit leaves the token unspent).
/// </summary>
public sealed record EnrollmentGrant(string DeviceId, string Method, Func<IStoreTransaction, CancellationToken, Task<bool>> CommitAsync)
{
    /// <summary>A grant whose credential is not single-use (a certificate): nothing to spend.</summary>
    public static Func<IStoreTransaction, CancellationToken, Task<bool>> NothingToSpend { get; } = (_, _) => Task.FromResult(true);
}
