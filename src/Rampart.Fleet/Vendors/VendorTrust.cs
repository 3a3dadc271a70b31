namespace Rampart.Fleet.Vendors;

/// <summary>A manufacturer CA whose factory certificates (IDevID) vouch for that vendor's registered devices.</summary>
public sealed record VendorTrust(string Name, byte[] CertificateDer, string Fingerprint, DateTimeOffset Added);
