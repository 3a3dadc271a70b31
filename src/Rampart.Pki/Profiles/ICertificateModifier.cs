using Rampart.Pki.Authority;

namespace Rampart.Pki.Profiles;

/// <summary>One thing the CA writes into a certificate. The requester controls none of it.</summary>
public interface ICertificateModifier
{
    /// <summary>Sets subject, extensions or validity on the template.</summary>
    void Apply(CertificateTemplate template, CsrContext context);
}
