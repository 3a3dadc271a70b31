using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Authority;

namespace Rampart.Fleet.Enrollment;

/// <summary>Chain checks against a fixed trust anchor, never the system store.</summary>
public static class CaChain
{
    /// <summary>
    /// True when <paramref name="certificate"/> chains to this CA's root through its issuing CA.
    /// Validity times are checked by the caller against the recorded certificate, so they are
    /// ignored here; revocation likewise.
    /// </summary>
    public static bool IsIssuedBy(X509Certificate2 certificate, CertificateAuthority authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority.Root);
        chain.ChainPolicy.ExtraStore.Add(authority.Issuing);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        return chain.Build(certificate)
            && chain.ChainElements.Count == 3
            && chain.ChainElements[1].Certificate.RawData.AsSpan().SequenceEqual(authority.Issuing.RawData);
    }

    /// <summary>True when the certificate chains (now, time-valid) to <paramref name="anchor"/>.</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 anchor, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(anchor);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        return chain.Build(certificate);
    }
}
