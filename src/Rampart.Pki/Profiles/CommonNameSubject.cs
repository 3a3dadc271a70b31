using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Authority;

namespace Rampart.Pki.Profiles;

/// <summary>Subject <c>CN=&lt;verified id&gt;</c>, optionally with an organisation.</summary>
public sealed class CommonNameSubject(string? organization = null) : ICertificateModifier
{
    /// <inheritdoc />
    public void Apply(CertificateTemplate template, CsrContext context)
    {
        var name = new X500DistinguishedNameBuilder();
        if (organization is not null)
        {
            name.AddOrganizationName(organization);
        }

        name.AddCommonName(context.SubjectId);
        template.Subject = name.Build();
    }
}
