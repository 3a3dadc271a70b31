using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Rampart.Pki.Tls;
using Rampart.Pki.Trust;
using Rampart.Server.Gateway.Tls;

namespace Rampart.Server.Gateway;

/// <summary>The MQTT listener's TLS over Rampart's OpenSSL adapter (docs/mqtt.md, "TLS implementation").</summary>
public sealed partial class MqttGateway
{
    private OpenSslServerContext? _openSsl;

    /// <summary>Client certificates already verified against this CA (by SHA-256), for reconnects.</summary>
    public VerifiedCertificateCache VerifiedCertificates { get; }

    /// <summary>The TLS stack actually serving the listener (OpenSSL unless set otherwise or libssl.so.3 is missing).</summary>
    public MqttTlsImplementation TlsImplementation { get; private set; } = MqttTlsImplementation.SslStream;

    /// <summary>
    /// Connection middleware placed after <see cref="Guard"/> and before Kestrel's HTTPS middleware.
    /// With <see cref="MqttTlsImplementation.OpenSsl"/> it runs the handshake itself and serves the
    /// connection (the SslStream middleware after it is never reached); with SslStream, or when
    /// libssl.so.3 cannot be loaded, it passes the connection on untouched.
    /// </summary>
    public Func<ConnectionDelegate, ConnectionDelegate> OpenSslTls(X509Certificate2 serverCertificate) => next =>
    {
        if (_tlsOptions.Implementation != MqttTlsImplementation.OpenSsl)
        {
            return next;
        }

        try
        {
            _openSsl ??= new OpenSslServerContext(serverCertificate, [X509CertificateLoader.LoadCertificate(_authority.Issuing.RawData)], ValidateClientCertificate);
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
        {
            LogOpenSslUnavailable(_logger, exception.Message);
            return next;
        }

        TlsImplementation = MqttTlsImplementation.OpenSsl;
        var context = _openSsl;
        return async connection =>
        {
            OpenSslConnection? tls;
            string? failure;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
            {
                timeout.CancelAfter(_options.HandshakeTimeout);
                (tls, failure) = await OpenSslConnection.AcceptAsync(context.NewSsl(), connection.Transport, timeout.Token);
            }

            if (tls is null)
            {
                LogHandshakeFailed(_logger, Source(connection), failure ?? "unknown");
                return; // recorded by the guard as a failed handshake, or as unknown-ca by the certificate check
            }

            var transport = connection.Transport;
            connection.Features.Set<ITlsConnectionFeature>(new OpenSslTlsFeature(tls.ClientCertificate));
            connection.Transport = tls;
            try
            {
                await HandleAsync(connection);
            }
            finally
            {
                connection.Transport = transport;
                await tls.DisposeAsync();
            }
        };
    };

    /// <summary>
    /// The OpenSSL path's certificate check (the handshake's, in place of X509_verify_cert): a leaf
    /// this CA's chain was verified for before passes at once; any other must chain to the root
    /// through one of the trusted issuing CAs exactly as on the SslStream path, and is remembered.
    /// </summary>
    internal bool ValidateClientCertificate(byte[] der)
    {
        IReadOnlyList<X509Certificate2> anchors = [_authority.Root, .. _authority.TrustedIssuers];
        if (VerifiedCertificates.Contains(der, anchors))
        {
            return true;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException)
        {
            RefuseForeign("an unreadable certificate");
            return false;
        }

        using (certificate)
        {
            if (_authority.TrustedIssuers.Any(issuer => FixedRootChain.Verify(certificate, _authority.Root, [issuer])))
            {
                VerifiedCertificates.Add(der, anchors);
                return true;
            }

            RefuseForeign($"certificate '{certificate.Subject}'");
            return false;
        }
    }

    private void RefuseForeign(string what)
    {
        if (CurrentConnection.Value is { } connection)
        {
            connection.Items[HandledKey] = true;
            Refusals.Record(Source(connection), "unknown-ca", $"{what} was not issued by this Rampart CA");
        }
    }

    [LoggerMessage(EventId = 4012, Level = LogLevel.Warning, Message = "MQTT listener: the OpenSSL TLS adapter is unavailable ({Reason}); serving TLS with SslStream")]
    private static partial void LogOpenSslUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Debug, Message = "MQTT connection from {Source}: {Failure}")]
    private static partial void LogHandshakeFailed(ILogger logger, string source, string failure);
}
