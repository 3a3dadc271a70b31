using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Rampart.Fleet.Monitoring;

namespace Rampart.Detection.Export;

/// <summary>
/// Syslog over TLS (RFC 5425) to one collector: TLS 1.2 or 1.3, the collector's certificate chained
/// to the configured CA only (never the system store) and matching the configured name, an optional
/// client certificate, octet-counting framing. One connection is kept and re-opened after a failure.
/// </summary>
public sealed class SyslogTlsSender : IExportSender
{
    private readonly string _name;
    private readonly SyslogDestinationOptions _options;
    private readonly SyslogMessage _format;
    private readonly X509ChainPolicy _trust;
    private readonly X509Certificate2? _clientCertificate;
    private TcpClient? _client;
    private SslStream? _stream;

    /// <summary>A sender for the collector named <paramref name="name"/>.</summary>
    public SyslogTlsSender(string name, SyslogDestinationOptions options, string hostname)
    {
        _name = name;
        _options = options;
        _format = new SyslogMessage(options, hostname, Environment.ProcessId);
        _trust = ExportTrust.From(options.CaFile);
        if (options.ClientCertificateFile is not null && options.ClientKeyFile is not null)
        {
            _clientCertificate = X509Certificate2.CreateFromPemFile(options.ClientCertificateFile, options.ClientKeyFile);
        }
    }

    /// <inheritdoc />
    public string Destination => "syslog:" + _name;

    /// <inheritdoc />
    public SecuritySeverity MinimumSeverity => _options.MinimumSeverity;

    /// <inheritdoc />
    public async Task<DeliveryResult> SendAsync(IReadOnlyList<OutboxItem> items, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            var stream = _stream ?? await ConnectAsync(timeout.Token);

            // RFC 5425 §4.3: SYSLOG-FRAME = MSG-LEN SP SYSLOG-MSG, MSG-LEN the octet count in decimal.
            // The batch is written whole and flushed: TLS gives no receipt, so "delivered" means the
            // collector's TCP stack took it (docs/export.md, "What is lost when").
            using var frames = new MemoryStream();
            foreach (var item in items)
            {
                var message = _format.Format(JsonSerializer.Deserialize<ExportRecord>(item.Payload)!);
                frames.Write(Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " "));
                frames.Write(message);
            }

            await stream.WriteAsync(frames.GetBuffer().AsMemory(0, (int)frames.Length), timeout.Token);
            await stream.FlushAsync(timeout.Token);
            return new DeliveryResult(items.Count, null);
        }
        catch (Exception exception) when (exception is IOException or SocketException or AuthenticationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await CloseAsync();
            return new DeliveryResult(0, $"{_options.Host}:{_options.Port}: {Describe(exception)}");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _clientCertificate?.Dispose();
    }

    private async Task<SslStream> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new TcpClient();
        try
        {
            await client.ConnectAsync(_options.Host, _options.Port, cancellationToken);
            var stream = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
            await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = _options.ServerName ?? _options.Host,

                // RFC 5425 §4.2 requires TLS; RFC 9325 puts the floor at 1.2.
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateChainPolicy = _trust.Clone(),

                // With the custom root policy above, "no errors" means: chains to the configured CA and the name matches (RFC 5425 §5.2).
                RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None,
                ClientCertificates = _clientCertificate is null ? null : [_clientCertificate],
            }, cancellationToken);
            _client = client;
            _stream = stream;
            return stream;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private async Task CloseAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _client?.Dispose();
        _stream = null;
        _client = null;
    }

    private static string Describe(Exception exception) => exception switch
    {
        AuthenticationException => "TLS handshake failed (is the collector's certificate issued by the configured CA for this name?): " + exception.Message,
        OperationCanceledException => "timed out",
        _ => exception.InnerException?.Message ?? exception.Message,
    };
}
