using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http.Features;

namespace Rampart.Server.Gateway.Tls;

/// <summary>
/// The client certificate of a connection served by <see cref="Rampart.Pki.Tls.OpenSslConnection"/>. Only its DER
/// bytes are kept for the connection's life; each read of <see cref="ClientCertificate"/> makes a
/// new <see cref="X509Certificate2"/> the caller owns, so an idle connection holds no parsed certificate.
/// </summary>
internal sealed class OpenSslTlsFeature(byte[]? der) : ITlsConnectionFeature
{
    /// <inheritdoc />
    public X509Certificate2? ClientCertificate
    {
        get => der is null ? null : X509CertificateLoader.LoadCertificate(der);
        set => der = value?.RawData;
    }

    /// <inheritdoc />
    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);
}
