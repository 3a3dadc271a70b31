namespace Rampart.Fleet.Certificates;

/// <summary>A signed CRL (DER) with its number and validity window.</summary>
public sealed record PublishedCrl(long Number, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate, byte[] Der);
