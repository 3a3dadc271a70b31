using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Vendors;

namespace Rampart.Fleet.Enrollment;

/// <summary>
/// Zero-touch enrollment with a factory certificate (IDevID, IEEE 802.1AR) presented as the TLS
/// client certificate: it must chain to a registered manufacturer CA, name a registered device (its
/// subject serialNumber, else its CN) of that vendor, and that device must be enrollable.
/// </summary>
public sealed class FactoryCertificateAuthorizer(IVendorTrustStore vendors, IDeviceStore devices, TimeProvider time) : IEnrollmentAuthorizer
{
    /// <inheritdoc />
    public bool Handles(EstOperation operation, EstCredentials credentials) =>
        operation == EstOperation.Enroll && credentials.Secret is null && credentials.ClientCertificate is not null;

    /// <inheritdoc />
    public async Task<(EnrollmentGrant? Grant, EnrollmentRefusal? Refusal)> AuthorizeAsync(
        EstOperation operation, EstCredentials credentials, CancellationToken cancellationToken)
    {
        var certificate = credentials.ClientCertificate!;
        var now = time.GetUtcNow();
        string? vendor = null;
        foreach (var trust in await vendors.ListAsync(cancellationToken))
        {
            using var anchor = X509CertificateLoader.LoadCertificate(trust.CertificateDer);
            if (CaChain.ChainsTo(certificate, anchor, now))
            {
                vendor = trust.Name;
                break;
            }
        }

        if (vendor is null)
        {
            return (null, new EnrollmentRefusal(EnrollmentRefusalKind.Unauthenticated, "unknown-factory-ca",
                "the client certificate does not chain to a registered manufacturer CA (rampart vendor trust add)"));
        }

        var deviceId = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .FirstOrDefault(rdn => rdn.GetSingleElementType().Value == "2.5.4.5")?.GetSingleElementValue()
            ?? certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (!DeviceIds.CanName(deviceId))
        {
            return (null, new EnrollmentRefusal(EnrollmentRefusalKind.Unauthenticated, "bad-factory-identity",
                "the factory certificate's serialNumber (or CN) is not a valid device id"));
        }

        var device = await devices.GetAsync(deviceId, cancellationToken);
        if (device is not null && !string.Equals(device.Vendor, vendor, StringComparison.OrdinalIgnoreCase))
        {
            return (null, new EnrollmentRefusal(EnrollmentRefusalKind.Forbidden, "vendor-mismatch",
                $"device {deviceId} is registered with vendor '{device.Vendor}', not '{vendor}'", deviceId));
        }

        var refusal = DeviceStates.RefuseUnlessEnrollable(device, deviceId, firstEnrollment: true);
        return refusal is not null
            ? (null, refusal)
            : (new EnrollmentGrant(deviceId!, "factory-certificate", EnrollmentGrant.NothingToSpend), null);
    }
}
