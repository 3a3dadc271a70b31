using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Authority;
using Rampart.Pki.Profiles;

namespace Rampart.Fleet.Certificates;

/// <summary>
/// Runs a profile over a proven request and, once the caller has committed its authorisation,
/// signs and records the certificate. Two steps so a single-use credential is spent only on a
/// request the profile accepted.
/// </summary>
public sealed class CertificateIssuer(CertificateAuthority authority, ICertificateStore certificates, TimeProvider time)
{
    /// <summary>The CA's chain (issuing, root).</summary>
    public X509Certificate2Collection Chain => authority.Chain;

    /// <summary>The CA itself, for checks that need its certificates.</summary>
    public CertificateAuthority Authority => authority;

    /// <summary>Step 1: the profile's checks and the template, or the refusal.</summary>
    public ValueTask<(CertificateTemplate? Template, CsrRefusal? Refusal)> PrepareAsync(
        CertificateProfile profile, string subject, CertificateRequest request, CancellationToken cancellationToken) =>
        profile.BuildAsync(new CsrContext(request, subject, time.GetUtcNow()), cancellationToken);

    /// <summary>Step 2: sign and record.</summary>
    public async Task<(IssuedCertificate Record, X509Certificate2 Certificate)> SignAsync(
        CertificateProfile profile, string subject, CertificateTemplate template, CancellationToken cancellationToken)
    {
        var certificate = authority.Issue(template);
        var record = new IssuedCertificate(
            certificate.SerialNumber,
            profile.Name,
            subject,
            KeyFingerprint.Of(certificate),
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime()),
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime()),
            false,
            null,
            null,
            certificate.RawData);
        await certificates.AddAsync(record, cancellationToken);
        return (record, certificate);
    }

    /// <summary>Who else holds this key, for <see cref="KeyNotHeldByAnotherSubjectValidator"/>.</summary>
    public Func<string, string, CancellationToken, ValueTask<string?>> KeyHolderLookup(string profile) =>
        async (fingerprint, subject, cancellationToken) => await certificates.FindOtherKeyHolderAsync(fingerprint, profile, subject, cancellationToken);
}
