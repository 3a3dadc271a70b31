using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Certificates;

namespace Rampart.Fleet.Enrollment;

/// <summary>A new certificate, or the refusal.</summary>
public sealed record EnrollmentResult(IssuedCertificate? Record, X509Certificate2? Certificate, EnrollmentRefusal? Refusal)
{
    /// <summary>A refusal.</summary>
    public static EnrollmentResult Refused(EnrollmentRefusal refusal) => new(null, null, refusal);
}
