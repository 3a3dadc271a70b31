using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Attack.Battery;
using Rampart.Device.Enrollment;

namespace Rampart.Attack.Attacks;

/// <summary>A bootstrap token spent on enrollment is presented again (a token copied from a label or a log).</summary>
public sealed class EstTokenReuse : IAttack
{
    public string Name => "est-token-reuse";

    public string Description => "enroll over EST with a bootstrap token, then enroll again with the same token and a new key";

    public AttackMapping Mapping { get; } = new("single-use bootstrap tokens", Problems.DefaultPasswords, Owasp.I1);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        var id = context.DeviceId("enrollee");
        var token = await context.RegisterAsync("enrollee", cancellationToken);
        using var first = await context.Est.EnrollAsync(id, token, cancellationToken);
        try
        {
            using var second = await context.Est.EnrollAsync(id, token, cancellationToken);
            return AttackOutcome.NotHeld($"the spent token enrolled {id} a second time (serial {second.SerialNumber})");
        }
        catch (EstException refused)
        {
            return AttackOutcome.Held($"first enrollment issued serial {first.SerialNumber}; the same token again: HTTP {refused.Status}");
        }
    }
}

/// <summary>
/// A CSR that asks for another device's name, a CA certificate, a server certificate and extra
/// names: the node must decide every field itself (RFC 7030 §4.2.1 leaves it to the CA's policy).
/// </summary>
public sealed class CsrFieldInjection : IAttack
{
    public string Name => "csr-field-injection";

    public string Description => "enroll with a CSR naming another device, asking for CA:TRUE, keyCertSign, serverAuth and extra SANs";

    public AttackMapping Mapping { get; } = new("the CA, not the CSR, decides subject and extensions", Problems.Identity, Owasp.I3);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        var id = context.DeviceId("injector");
        var victim = context.DeviceId("victim");
        var token = await context.RegisterAsync("injector", cancellationToken);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={victim}, O=Rampart CA, OU=admin", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(victim);
        names.AddUri(new Uri($"urn:rampart:device:{victim}"));
        request.CertificateExtensions.Add(names.Build());

        X509Certificate2 issued;
        try
        {
            issued = await context.Est.EnrollWithRequestAsync(id, token, request.CreateSigningRequest(), cancellationToken);
        }
        catch (EstException refused)
        {
            return AttackOutcome.Held($"the node refused the CSR outright: HTTP {refused.Status}");
        }

        using (issued)
        {
            var findings = new List<string>();
            var commonName = issued.GetNameInfo(X509NameType.SimpleName, false);
            if (commonName != id)
            {
                findings.Add($"subject CN is {commonName}, not {id}");
            }

            if (issued.Subject.Contains("OU=admin", StringComparison.Ordinal) || issued.Subject.Contains("O=Rampart CA", StringComparison.Ordinal))
            {
                findings.Add($"subject kept requested attributes ({issued.Subject})");
            }

            if (issued.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
            {
                findings.Add("CA:TRUE granted");
            }

            if (issued.Extensions.OfType<X509KeyUsageExtension>().Any(k => k.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign)))
            {
                findings.Add("keyCertSign granted");
            }

            if (issued.Extensions.OfType<X509EnhancedKeyUsageExtension>().Any(e => e.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == "1.3.6.1.5.5.7.3.1")))
            {
                findings.Add("serverAuth granted");
            }

            var san = issued.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToArray();
            if (san.Contains("localhost") || san.Contains(victim))
            {
                findings.Add($"requested DNS names kept ({string.Join(",", san)})");
            }

            return AttackOutcome.Judge(findings.Count == 0, findings.Count == 0
                ? $"issued {issued.Subject} without CA, keyCertSign, serverAuth or the requested names"
                : string.Join("; ", findings));
        }
    }
}
