using System.Net;
using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Authority;

namespace Rampart.Pki.Profiles;

/// <summary>DNS names and IP addresses a server certificate is valid for (from the node's configuration, never from the request).</summary>
public sealed class ServerNames(IReadOnlyList<string> dnsNames, IReadOnlyList<IPAddress> addresses) : ICertificateModifier
{
    /// <inheritdoc />
    public void Apply(CertificateTemplate template, CsrContext context)
    {
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames)
        {
            names.AddDnsName(dns);
        }

        foreach (var address in addresses)
        {
            names.AddIpAddress(address);
        }

        template.Extensions.Add(names.Build(critical: false));
    }
}
