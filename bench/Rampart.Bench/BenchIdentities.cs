using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;

namespace Rampart.Bench;

/// <summary>Device and service identities made through a node's own services (inventory, EST enrollment, service certificates), with their keys.</summary>
internal static class BenchIdentities
{
    /// <summary>Adds <paramref name="deviceId"/> and enrolls it with its bootstrap token; the certificate carries its new key.</summary>
    public static async Task<(X509Certificate2 Identity, IssuedCertificate Record)> EnrollDeviceAsync(IServiceProvider services, string deviceId)
    {
        var (_, token) = await services.GetRequiredService<InventoryService>().AddAsync(new NewDevice(deviceId), "bench", CancellationToken.None);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var result = await services.GetRequiredService<EnrollmentService>().EnrollAsync(EstOperation.Enroll, new EstCredentials(deviceId, token.Token, null, "127.0.0.1"),
            new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequest(), CancellationToken.None);
        var certificate = result.Certificate ?? throw new InvalidOperationException($"enrollment of {deviceId} was refused: {result.Refusal}");
        return (WithKey(certificate, key), result.Record!);
    }

    /// <summary>A service certificate for <paramref name="name"/> (the backend role: it may subscribe to every device's telemetry).</summary>
    public static async Task<X509Certificate2> IssueServiceAsync(IServiceProvider services, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var certificate = await services.GetRequiredService<ServiceCertificates>().IssueAsync(
            name, new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequest(), "bench", CancellationToken.None);
        return WithKey(certificate, key);
    }

    // Through PKCS#12 so SslStream on Linux gets a certificate whose key it can hand to OpenSSL.
    private static X509Certificate2 WithKey(X509Certificate2 certificate, ECDsa key)
    {
        using var withKey = certificate.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
