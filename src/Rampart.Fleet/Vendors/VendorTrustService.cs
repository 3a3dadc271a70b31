using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;

namespace Rampart.Fleet.Vendors;

/// <summary>Registers manufacturer CAs for zero-touch enrollment.</summary>
public sealed class VendorTrustService(IVendorTrustStore store, IAuditLog audit, TimeProvider time)
{
    /// <summary>Adds the CA certificate in <paramref name="pem"/> under the vendor name devices are registered with.</summary>
    public async Task<VendorTrust> AddAsync(string name, string pem, string actor, CancellationToken cancellationToken)
    {
        if (!DeviceIds.IsValid(name))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"vendor name '{Echo.Of(name)}' must be {DeviceIds.Rule}");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException exception)
        {
            throw new FleetException(FleetErrorKind.Invalid, $"not a PEM certificate: {exception.Message}");
        }

        using (certificate)
        {
            if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
            {
                throw new FleetException(FleetErrorKind.Invalid, "the certificate is not a CA certificate (basic constraints CA:TRUE)");
            }

            var trust = new VendorTrust(name, certificate.RawData, Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256)), time.GetUtcNow());
            var added = new AuditRecord(actor, "vendor.trust-added", $"vendor/{name}", AuditOutcome.Success,
                new Dictionary<string, string> { ["ca-sha256"] = trust.Fingerprint, ["ca-subject"] = certificate.Subject });
            await audit.CommitAsync(async (transaction, commit) =>
                await store.TryAddAsync(transaction, trust, commit)
                    ? AuditedOutcome<bool>.Done(true, added)
                    : throw new FleetException(FleetErrorKind.Conflict, $"this CA is registered already (sha256 {trust.Fingerprint})"),
                cancellationToken);
            return trust;
        }
    }
}
