using System.Security.Cryptography.X509Certificates;

namespace Rampart.Pki.Trust;

/// <summary>
/// Chains checked against one fixed root, never the system store: the one definition of "issued
/// under this Rampart root" for the CA itself, the enrollment checks, the admin client and the
/// device SDK's TLS.
/// </summary>
/// <remarks>
/// Revocation is never fetched (<see cref="X509RevocationMode.NoCheck"/>, no downloads): Rampart's
/// callers judge revocation from the live state, and a chain check that reaches out to the network
/// would let a certificate's AIA/CDP URLs make the node or a device connect anywhere. Validity is
/// checked at the time each chain is built, at a given time, or — for callers that judge expiry
/// against the recorded certificate themselves, so an expired device hears why — not at all.
/// </remarks>
public static class FixedRootChain
{
    /// <summary>
    /// A policy that trusts only <paramref name="root"/>, with <paramref name="intermediates"/> as the
    /// candidate issuers; validity is checked when each chain is built (a policy held by a long-lived
    /// client stays current), at <paramref name="at"/> when given, or not at all with <paramref name="ignoreValidity"/>.
    /// </summary>
    public static X509ChainPolicy Policy(X509Certificate2 root, IEnumerable<X509Certificate2>? intermediates = null, bool ignoreValidity = false, DateTimeOffset? at = null)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
            VerificationFlags = ignoreValidity ? X509VerificationFlags.IgnoreNotTimeValid : X509VerificationFlags.NoFlag,
        };
        policy.CustomTrustStore.Add(root);
        foreach (var intermediate in intermediates ?? [])
        {
            policy.ExtraStore.Add(intermediate);
        }

        if (at is { } time)
        {
            policy.VerificationTime = time.UtcDateTime;
        }

        return policy;
    }

    /// <summary>
    /// True when <paramref name="certificate"/> chains to <paramref name="root"/> through exactly
    /// <paramref name="path"/> (leaf first, root excluded; empty: signed by the root itself), compared
    /// byte for byte — names can collide, only the signatures link a chain (RFC 5280 §6.1.3 (a)(1)).
    /// Validity is the caller's to judge (against the recorded certificate).
    /// </summary>
    public static bool Verify(X509Certificate2 certificate, X509Certificate2 root, IReadOnlyList<X509Certificate2> path)
    {
        using var chain = new X509Chain { ChainPolicy = Policy(root, path, ignoreValidity: true) };
        return chain.Build(certificate) && IsPath(chain, root, path);
    }

    /// <summary>True when <paramref name="certificate"/> chains to <paramref name="root"/> by any path, every certificate valid at <paramref name="at"/>.</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 root, DateTimeOffset at)
    {
        using var chain = new X509Chain { ChainPolicy = Policy(root, at: at) };
        return chain.Build(certificate);
    }

    /// <summary>
    /// True when a chain already built (by a TLS handshake under <see cref="Policy"/>) runs from its
    /// leaf through exactly <paramref name="path"/> to <paramref name="root"/>.
    /// </summary>
    public static bool IsPath(X509Chain chain, X509Certificate2 root, IReadOnlyList<X509Certificate2> path)
    {
        var elements = chain.ChainElements;
        if (elements.Count != path.Count + 2)
        {
            return false;
        }

        for (var i = 0; i < path.Count; i++)
        {
            if (!elements[i + 1].Certificate.RawData.AsSpan().SequenceEqual(path[i].RawData))
            {
                return false;
            }
        }

        return elements[^1].Certificate.RawData.AsSpan().SequenceEqual(root.RawData);
    }
}
