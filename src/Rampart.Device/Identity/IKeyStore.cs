using System.Security.Cryptography.X509Certificates;

namespace Rampart.Device.Identity;

/// <summary>
/// Where a device keeps its private key and certificate. The key is made on the device and never
/// leaves it; a file store is the default, hardware stores (PKCS#11, TPM) implement the same contract.
/// </summary>
public interface IKeyStore
{
    /// <summary>The device's certificate with its private key, or null before enrollment.</summary>
    Task<X509Certificate2?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Stores a certificate and its key, replacing what was there, atomically.</summary>
    Task SaveAsync(X509Certificate2 certificateWithKey, CancellationToken cancellationToken);
}
