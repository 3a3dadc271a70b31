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
/// client certificate, octet-counting framing.
/// <para>
/// RFC 5425 gives no receipt, so a record counts as delivered only once the connection it was
/// written on is still open <see cref="SyslogDestinationOptions.ConfirmAfter"/> later: a collector
/// that went away closes (or resets) it before then, and the unconfirmed records are written again
/// on a new connection, under the same ids (a duplicate the collector can drop, never a loss).
/// </para>
/// </summary>
public sealed class SyslogTlsSender : IExportSender
{
    private readonly string _name;
    private readonly SyslogDestinationOptions _options;
    private readonly SyslogMessage _format;
    private readonly X509ChainPolicy _trust;
    private readonly X509Certificate2? _clientCertificate;
    private readonly TimeProvider _time;
    private SyslogConnection? _connection;
    private readonly Queue<(long Through, DateTimeOffset At)> _writes = new();
    private long _writtenThrough;

    /// <summary>A sender for the collector named <paramref name="name"/>.</summary>
    public SyslogTlsSender(string name, SyslogDestinationOptions options, string hostname, TimeProvider time)
    {
        _name = name;
        _options = options;
        _time = time;
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

    /// <summary>
    /// 1. A connection the collector closed is dropped, and what was written on it is unconfirmed again;
    /// 2. the records not yet written are written and flushed;
    /// 3. records written at least ConfirmAfter ago on the still open connection are confirmed (when
    ///    nothing was written and nothing can be confirmed yet, it waits for the oldest write to come of age).
    /// Writing runs ahead of confirming, so the rate is bounded by the outbox's window, not by ConfirmAfter.
    /// </summary>
    public async Task<DeliveryResult> SendAsync(IReadOnlyList<OutboxItem> items, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            if (_connection is { Open: false })
            {
                await CloseAsync();
            }

            // Outbox ids are unique among the rows present, not monotonic across deletions: SQLite gives a new row
            // the largest id present plus one, so once every written row was confirmed and deleted a new record
            // may get an id at or below _writtenThrough (it did: the record was taken for written, "delivered"
            // and never sent). While a write is unconfirmed its rows are still there, so every newer row's id
            // is above them; with none unconfirmed, nothing in the outbox has been written.
            var unwritten = _writes.Count == 0 ? items.ToArray() : items.Where(item => item.Id > _writtenThrough).ToArray();
            if (unwritten.Length > 0)
            {
                await WriteAsync(unwritten, timeout.Token);
            }
            else if (_writes.Count > 0 && _writes.Peek().At + _options.ConfirmAfter - _time.GetUtcNow() is var wait && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, timeout.Token);
            }

            if (_connection is not { Open: true })
            {
                await CloseAsync();
                return new DeliveryResult(0, $"{_options.Host}:{_options.Port}: the collector closed the connection; unconfirmed records are sent again");
            }

            var confirmedThrough = 0L;
            while (_writes.Count > 0 && _writes.Peek().At + _options.ConfirmAfter <= _time.GetUtcNow())
            {
                confirmedThrough = _writes.Dequeue().Through;
            }

            return new DeliveryResult(items.TakeWhile(item => item.Id <= confirmedThrough).Count(), null);
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

    private async Task WriteAsync(IReadOnlyList<OutboxItem> items, CancellationToken cancellationToken)
    {
        _connection ??= await ConnectAsync(cancellationToken);

        // RFC 5425 §4.3: SYSLOG-FRAME = MSG-LEN SP SYSLOG-MSG, MSG-LEN the octet count in decimal.
        using var frames = new MemoryStream();
        foreach (var item in items)
        {
            var message = _format.Format(JsonSerializer.Deserialize<ExportRecord>(item.Payload)!);
            frames.Write(Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " "));
            frames.Write(message);
        }

        await _connection.Stream.WriteAsync(frames.GetBuffer().AsMemory(0, (int)frames.Length), cancellationToken);
        await _connection.Stream.FlushAsync(cancellationToken);
        _writtenThrough = items[^1].Id;
        _writes.Enqueue((_writtenThrough, _time.GetUtcNow()));
    }

    private async Task<SyslogConnection> ConnectAsync(CancellationToken cancellationToken)
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
            return new SyslogConnection(client, stream);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    // Whatever was written on the connection is unconfirmed again: it is written anew on the next one.
    private async Task CloseAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _connection = null;
        _writtenThrough = 0;
        _writes.Clear();
    }

    private static string Describe(Exception exception) => exception switch
    {
        AuthenticationException => "TLS handshake failed (is the collector's certificate issued by the configured CA for this name?): " + exception.Message,
        OperationCanceledException => "timed out",
        _ => exception.InnerException?.Message ?? exception.Message,
    };
}
