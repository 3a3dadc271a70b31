using System.Security.Cryptography.X509Certificates;

namespace Rampart.Pki.Authority;

/// <summary>
/// What a certificate will say, as the profile's modifiers build it. Starts from the requester's
/// public key only: nothing else in a CSR (subject, requested extensions) carries over.
/// </summary>
public sealed class CertificateTemplate(PublicKey publicKey, DateTimeOffset now)
{
    /// <summary>The subject public key, from the proven CSR.</summary>
    public PublicKey PublicKey { get; } = publicKey;

    /// <summary>The subject; modifiers set it.</summary>
    public X500DistinguishedName Subject { get; set; } = new(string.Empty);

    /// <summary>Extensions in the order modifiers add them.</summary>
    public List<X509Extension> Extensions { get; } = [];

    /// <summary>Backdated a little for clocks that run behind.</summary>
    public DateTimeOffset NotBefore { get; set; } = now.AddMinutes(-5);

    /// <summary>Set by the validity modifier.</summary>
    public DateTimeOffset NotAfter { get; set; } = now;

    /// <summary>Random, ≥ 64 bits.</summary>
    public byte[] SerialNumber { get; } = SerialNumbers.New();
}
