using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Text.Json;
using Rampart.Fleet.Monitoring;

namespace Rampart.Detection.Export;

/// <summary>
/// POSTs each record as JSON to one HTTPS receiver, one request per record in order, signed
/// (<see cref="WebhookSignature"/>). A 2xx answer delivers the record; anything else, a timeout or
/// a TLS failure is retried later — records are never dropped for a refusal, only by the outbox bounds.
/// Redirects are not followed (one could lead to plain http or another host).
/// </summary>
public sealed class WebhookSender : IExportSender
{
    private readonly string _name;
    private readonly WebhookDestinationOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _client;
    private readonly Uri _url;

    /// <summary>A sender for the receiver named <paramref name="name"/>.</summary>
    public WebhookSender(string name, WebhookDestinationOptions options, TimeProvider time)
    {
        _name = name;
        _options = options;
        _time = time;
        _url = new Uri(options.Url, UriKind.Absolute);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxResponseHeadersLength = 16,
            SslOptions = new SslClientAuthenticationOptions { EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13 },
        };
        if (options.CaFile is not null)
        {
            handler.SslOptions.CertificateChainPolicy = ExportTrust.From(options.CaFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None;
        }

        _client = new HttpClient(handler) { Timeout = options.Timeout, MaxResponseContentBufferSize = 64 * 1024 };
    }

    /// <inheritdoc />
    public string Destination => "webhook:" + _name;

    /// <inheritdoc />
    public SecuritySeverity MinimumSeverity => _options.MinimumSeverity;

    /// <summary>The body sent for <paramref name="record"/>: its JSON, without details when that exceeds the size limit.</summary>
    public byte[] Body(ExportRecord record)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(record);
        return body.Length <= _options.MaxBodyBytes
            ? body
            : JsonSerializer.SerializeToUtf8Bytes(record with { Details = new Dictionary<string, string>(), Truncated = true });
    }

    /// <inheritdoc />
    public async Task<DeliveryResult> SendAsync(IReadOnlyList<OutboxItem> items, CancellationToken cancellationToken)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var record = JsonSerializer.Deserialize<ExportRecord>(items[i].Payload)!;
            var error = await PostAsync(record, cancellationToken);
            if (error is not null)
            {
                return new DeliveryResult(i, $"{_url.GetLeftPart(UriPartial.Path)}: {error}");
            }
        }

        return new DeliveryResult(items.Count, null);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string?> PostAsync(ExportRecord record, CancellationToken cancellationToken)
    {
        var body = Body(record);
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(_options.Secret, timestamp, body));
        request.Headers.Add(WebhookSignature.IdHeader, record.Id);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.IsSuccessStatusCode ? null : $"answered {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (HttpRequestException exception) when (exception.InnerException is TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The handler's connect timeout (TCP and TLS) says the same as the request timeout.
            return $"no answer within {_options.Timeout.TotalSeconds:0.#} s";
        }
        catch (HttpRequestException exception)
        {
            return exception.InnerException is AuthenticationException
                ? "TLS handshake failed (is the receiver's certificate trusted for this name?)"
                : exception.Message;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {_options.Timeout.TotalSeconds:0.#} s";
        }
    }
}
