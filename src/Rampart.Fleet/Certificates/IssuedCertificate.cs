using System.Security.Cryptography.X509Certificates;

namespace Rampart.Fleet.Certificates;

/// <summary>A certificate Rampart's CA issued, as recorded.</summary>
/// <param name="Serial">Upper-case hex.</param>
/// <param name="Profile"><c>device</c>, <c>service</c> or <c>server</c>.</param>
/// <param name="Subject">The device id, service name or node name it binds.</param>
/// <param name="KeyFingerprint">Hex SHA-256 of its SubjectPublicKeyInfo.</param>
public sealed record IssuedCertificate(
    string Serial,
    string Profile,
    string Subject,
    string KeyFingerprint,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    bool Revoked,
    DateTimeOffset? RevokedAt,
    X509RevocationReason? RevocationReason,
    byte[] Der);
