using System.Security.Cryptography.X509Certificates;

namespace Rampart.Detection.Export;

/// <summary>The chain policy for a destination's server certificate: the configured CA file, never the system store.</summary>
internal static class ExportTrust
{
    /// <summary>
    /// Trusts exactly the certificates in <paramref name="caFile"/>. Revocation is not checked: a
    /// collector's CA rarely publishes a CRL the node can reach (docs/export.md says so).
    /// </summary>
    public static X509ChainPolicy From(string caFile)
    {
        var trust = new X509Certificate2Collection();
        trust.ImportFromPemFile(caFile);
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(trust);
        return policy;
    }
}
