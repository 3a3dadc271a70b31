using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Audit;
using Rampart.Pki.Authority;

namespace Rampart.Fleet.Certificates;

/// <summary>Every certificate the CA issued, with its status.</summary>
public interface ICertificateStore
{
    /// <summary>
    /// Records the node's own server certificate at start, before the audit log runs (the node's
    /// start is audited with what it created). Every other certificate is recorded in its audited transaction.
    /// </summary>
    Task AddAsync(IssuedCertificate certificate, CancellationToken cancellationToken);

    /// <summary>Records a newly issued certificate inside its audited transaction.</summary>
    Task AddAsync(IStoreTransaction transaction, IssuedCertificate certificate, CancellationToken cancellationToken);

    /// <summary>The certificate with this serial, or null.</summary>
    Task<IssuedCertificate?> GetAsync(string serial, CancellationToken cancellationToken);

    /// <summary>Certificates of one subject of one profile, newest first.</summary>
    Task<IReadOnlyList<IssuedCertificate>> ListAsync(string profile, string subject, CancellationToken cancellationToken);

    /// <summary>The same, read inside an audited transaction (what it revokes is exactly what is live at its commit).</summary>
    Task<IReadOnlyList<IssuedCertificate>> ListAsync(IStoreTransaction transaction, string profile, string subject, CancellationToken cancellationToken);

    /// <summary>Another subject (as <c>profile:subject</c>) that holds a certificate for this key, or null.</summary>
    Task<string?> FindOtherKeyHolderAsync(string keyFingerprint, string profile, string subject, CancellationToken cancellationToken);

    /// <summary>The same, read inside the transaction that records the new certificate (no other issuance can slip between).</summary>
    Task<string?> FindOtherKeyHolderAsync(IStoreTransaction transaction, string keyFingerprint, string profile, string subject, CancellationToken cancellationToken);

    /// <summary>Marks the certificate revoked if it is not already; true when this call revoked it.</summary>
    Task<bool> TryRevokeAsync(IStoreTransaction transaction, string serial, DateTimeOffset at, X509RevocationReason reason, CancellationToken cancellationToken);

    /// <summary>Revoked certificates not yet expired at <paramref name="now"/>: what the CRL must list (RFC 5280 §3.3).</summary>
    Task<IReadOnlyList<RevokedSerial>> ListRevokedUnexpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
