using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Rampart.Pki.Profiles;

/// <summary>A public key's identity: lower-case hex SHA-256 of its SubjectPublicKeyInfo (RFC 7469 §2.4's input).</summary>
public static class KeyFingerprint
{
    /// <summary>Of a public key.</summary>
    public static string Of(PublicKey key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    /// <summary>Of a certificate's public key.</summary>
    public static string Of(X509Certificate2 certificate) => Of(certificate.PublicKey);
}
