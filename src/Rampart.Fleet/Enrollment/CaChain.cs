using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Authority;
using Rampart.Pki.Trust;

namespace Rampart.Fleet.Enrollment;

/// <summary>Chain checks against a fixed trust anchor, never the system store (one implementation: <see cref="FixedRootChain"/>).</summary>
public static class CaChain
{
    /// <summary>
    /// True when <paramref name="certificate"/> chains to this CA's root through one of its trusted
    /// issuing CAs (the current one, or the previous one during a rollover's overlap).
    /// Validity times are checked by the caller against the recorded certificate, so they are
    /// ignored here; revocation likewise.
    /// </summary>
    public static bool IsIssuedBy(X509Certificate2 certificate, CertificateAuthority authority) =>
        authority.TrustedIssuers.Any(issuer => FixedRootChain.Verify(certificate, authority.Root, [issuer]));

    /// <summary>True when the certificate chains (now, time-valid) to <paramref name="anchor"/>.</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 anchor, DateTimeOffset now) =>
        FixedRootChain.ChainsTo(certificate, anchor, now);
}
