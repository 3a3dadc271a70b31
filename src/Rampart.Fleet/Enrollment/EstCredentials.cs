using System.Security.Cryptography.X509Certificates;

namespace Rampart.Fleet.Enrollment;

/// <summary>Everything a request presented to prove who it is; captured once per request.</summary>
/// <param name="UserName">HTTP Basic user (the device id), if Basic was used.</param>
/// <param name="Secret">HTTP Basic password or Bearer token: a bootstrap token.</param>
/// <param name="ClientCertificate">The TLS client certificate, if one was presented.</param>
/// <param name="Source">The remote address.</param>
public sealed record EstCredentials(string? UserName, string? Secret, X509Certificate2? ClientCertificate, string Source)
{
    /// <summary>Prints who and from where, never the bootstrap token (a ToString ends up in logs and exceptions).</summary>
    public override string ToString() =>
        $"EstCredentials {{ UserName = {UserName}, Secret = {(Secret is null ? "none" : "redacted")}, ClientCertificate = {ClientCertificate?.Thumbprint ?? "none"}, Source = {Source} }}";
}
