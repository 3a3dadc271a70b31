using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Authority;

namespace Rampart.Pki.Profiles;

/// <summary>SAN URI <c>&lt;prefix&gt;&lt;verified id&gt;</c>, e.g. <c>urn:rampart:device:d-42</c>: the identity the gateway trusts.</summary>
public sealed class UriSubjectAlternativeName(string prefix) : ICertificateModifier
{
    /// <inheritdoc />
    public void Apply(CertificateTemplate template, CsrContext context)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri(prefix + context.SubjectId));
        template.Extensions.Add(names.Build(critical: false));
    }
}
