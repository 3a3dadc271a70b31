using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Rampart.Device.Identity;

/// <summary>
/// A key store that makes the device's next key itself, because no key can be put into it from outside (a
/// TPM: the key is generated inside and never leaves). <see cref="Enrollment.CertificateRenewal"/> renews such
/// a store with its own next key instead of a software one: <see cref="CreateNextKeyAsync"/>, then EST
/// <c>simplereenroll</c> (RFC 7030 §4.2.2) with that key, then <see cref="SwapToNextAsync"/> or
/// <see cref="DiscardNextKeyAsync"/>. Until the swap, <see cref="IKeyStore.LoadAsync"/> keeps returning the
/// current pair; a crash at any step leaves the current or the new pair, never a certificate with the wrong key.
/// </summary>
public interface INextKeyStore : IKeyStore
{
    /// <summary>Makes the next key inside the store, recorded as pending, and opens it. The caller disposes it.</summary>
    Task<ECDsa> CreateNextKeyAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Makes the next key current with <paramref name="renewed"/> (which must certify it): stores the certificate,
    /// records the swap durably, then removes the old key.
    /// </summary>
    Task SwapToNextAsync(X509Certificate2 renewed, CancellationToken cancellationToken);

    /// <summary>Removes a pending next key (the renewal failed or its certificate did not prove itself); nothing when none is pending.</summary>
    Task DiscardNextKeyAsync(CancellationToken cancellationToken);
}
