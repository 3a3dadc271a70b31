using System.Security.Cryptography.X509Certificates;

namespace Rampart.Pki.Profiles;

/// <summary>A request to certify, after its signature was verified (proof of possession), and whom it is for.</summary>
/// <param name="Csr">The loaded request; only its public key is used for the certificate.</param>
/// <param name="SubjectId">The verified id (device id, service name, node name) the certificate binds.</param>
/// <param name="Now">The CA's clock.</param>
public sealed record CsrContext(CertificateRequest Csr, string SubjectId, DateTimeOffset Now)
{
    /// <summary>Hex SHA-256 of the request's SubjectPublicKeyInfo.</summary>
    public string KeyFingerprint { get; } = Profiles.KeyFingerprint.Of(Csr.PublicKey);
}
