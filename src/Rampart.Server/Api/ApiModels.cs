using Rampart.Fleet.Inventory;

namespace Rampart.Server.Api;

/// <summary>A device as the API shows it.</summary>
public sealed record DeviceResponse(
    string Id, string? Model, string? Vendor, string? HardwareRevision, string? FirmwareVersion, string? Site, string? Zone,
    IReadOnlyList<string> Tags, DeviceState State, DateOnly? SupportUntil, DateTimeOffset Created, DateTimeOffset Updated)
{
    public static DeviceResponse From(Device d) =>
        new(d.Id, d.Model, d.Vendor, d.HardwareRevision, d.FirmwareVersion, d.Site, d.Zone, d.Tags, d.State, d.SupportUntil, d.Created, d.Updated);
}

/// <summary>Body of <c>POST /api/v1/devices</c>.</summary>
public sealed record AddDeviceRequest(
    string Id, string? Model = null, string? Vendor = null, string? HardwareRevision = null, string? Site = null, string? Zone = null,
    IReadOnlyList<string>? Tags = null, DateOnly? SupportUntil = null);

/// <summary>A new bootstrap token: shown once.</summary>
public sealed record BootstrapTokenResponse(string DeviceId, string Token, DateTimeOffset Expires);

/// <summary>Answer of <c>POST /api/v1/devices</c>.</summary>
public sealed record AddDeviceResponse(DeviceResponse Device, BootstrapTokenResponse BootstrapToken);

/// <summary>A page of devices; pass <see cref="Next"/> as <c>after</c> for the next page.</summary>
public sealed record DevicePage(IReadOnlyList<DeviceResponse> Items, string? Next);

/// <summary>Body of quarantine and release.</summary>
public sealed record ReasonRequest(string Reason);

/// <summary>Body of <c>POST /api/v1/certificates/revoke</c>: a serial or a device, and an RFC 5280 reason name.</summary>
public sealed record RevokeRequest(string? Serial = null, string? DeviceId = null, string? Reason = null);

/// <summary>What was revoked.</summary>
public sealed record RevokeResponse(IReadOnlyList<string> Revoked);

/// <summary>A certificate as the API shows it.</summary>
public sealed record CertificateResponse(
    string Serial, string Profile, string Subject, string KeySha256, DateTimeOffset NotBefore, DateTimeOffset NotAfter,
    bool Revoked, DateTimeOffset? RevokedAt, string? RevocationReason);

/// <summary>Body of <c>POST /api/v1/vendors</c>.</summary>
public sealed record VendorTrustRequest(string Name, string CertificatePem);

/// <summary>A registered manufacturer CA.</summary>
public sealed record VendorTrustResponse(string Name, string Sha256, DateTimeOffset Added);

/// <summary>Body of <c>POST /api/v1/services/{name}/certificates</c>.</summary>
public sealed record ServiceCertificateRequest(string CsrPem);

/// <summary>The service's certificate and the CA chain, PEM.</summary>
public sealed record ServiceCertificateResponse(string CertificatePem, string ChainPem);
