namespace Rampart.Posture.Evidence;

/// <summary>What the fleet audit and the baselines need of one device certificate Rampart's CA issued (read once from its DER).</summary>
/// <param name="KeyAlgorithm"><c>ec</c>, <c>rsa</c> or another name.</param>
/// <param name="KeyBits">The key size: the curve's bits for EC, the modulus bits for RSA.</param>
public sealed record CertificateFact(
    string Serial, string Subject, string KeyFingerprint, DateTimeOffset NotBefore, DateTimeOffset NotAfter, bool Revoked, string KeyAlgorithm, int KeyBits, string Issuer)
{
    /// <summary>Not revoked and inside its validity at <paramref name="now"/>.</summary>
    public bool IsLive(DateTimeOffset now) => !Revoked && NotBefore <= now && now < NotAfter;
}
