using System.Net;
using System.Security.Cryptography.X509Certificates;
using Rampart.Server.Hosting;

namespace Rampart.Server.Keys;

/// <summary>The names the node's server certificate carries: localhost and loopback, the host name, the HTTPS address, and configured extras.</summary>
public sealed record ServerNames(string NodeName, IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> Addresses)
{
    /// <summary>From the validated options.</summary>
    public static ServerNames From(ValidatedNodeOptions options)
    {
        var host = Dns.GetHostName();
        var dns = new List<string> { "localhost" };
        if (!string.IsNullOrEmpty(host) && host != "localhost")
        {
            dns.Add(host);
        }

        var addresses = new List<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback };
        if (!options.Https.Address.Equals(IPAddress.Any) && !options.Https.Address.Equals(IPAddress.IPv6Any) && !IPAddress.IsLoopback(options.Https.Address))
        {
            addresses.Add(options.Https.Address);
        }

        foreach (var name in options.ServerNames)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                addresses.Add(address);
            }
            else
            {
                dns.Add(name);
            }
        }

        return new ServerNames(string.IsNullOrEmpty(host) ? "rampart" : host, dns.Distinct(StringComparer.OrdinalIgnoreCase).ToArray(), addresses.Distinct().ToArray());
    }

    /// <summary>True when the certificate's SAN extension says exactly these names.</summary>
    public bool MatchesCertificate(X509Certificate2 certificate)
    {
        var wanted = new SubjectAlternativeNameBuilder();
        foreach (var dns in DnsNames)
        {
            wanted.AddDnsName(dns);
        }

        foreach (var address in Addresses)
        {
            wanted.AddIpAddress(address);
        }

        var present = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        return present is not null && present.RawData.AsSpan().SequenceEqual(wanted.Build().RawData);
    }
}
