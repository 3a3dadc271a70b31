using System.Security.Cryptography.X509Certificates;

namespace Rampart.Pki.Authority;

/// <summary>One CRL entry.</summary>
public sealed record RevokedSerial(string SerialHex, DateTimeOffset RevokedAt, X509RevocationReason Reason);
