using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Authority;

namespace Rampart.Pki.Profiles;

/// <summary>
/// Not a CA (basic constraints, critical), key usage digitalSignature (critical), the given extended
/// key usages, and a subject key identifier (RFC 5280 §4.2.1).
/// </summary>
public sealed class EndEntityUsage(params string[] extendedKeyUsageOids) : ICertificateModifier
{
    /// <summary>id-kp-clientAuth.</summary>
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    /// <summary>id-kp-serverAuth.</summary>
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";

    /// <inheritdoc />
    public void Apply(CertificateTemplate template, CsrContext context)
    {
        template.Extensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        template.Extensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var usages = new OidCollection();
        foreach (var oid in extendedKeyUsageOids)
        {
            usages.Add(new Oid(oid));
        }

        template.Extensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        template.Extensions.Add(new X509SubjectKeyIdentifierExtension(template.PublicKey, false));
    }
}
