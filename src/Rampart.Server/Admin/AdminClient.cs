using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using Rampart.Pki.Trust;

namespace Rampart.Server.Admin;

/// <summary>
/// Talks to a running node over its admin socket. Admin commands use it when the node runs and
/// fall back to opening the data directory themselves when it does not.
/// </summary>
public sealed class AdminClient : IDisposable
{
    private readonly HttpClient _http;

    /// <summary>A client for the socket at <paramref name="socketPath"/>.</summary>
    public AdminClient(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://rampart-admin/"), Timeout = TimeSpan.FromMinutes(2) };
    }

    /// <summary>
    /// A client for a node's HTTPS API with an operator's bearer token. With <paramref name="trustAnchor"/>
    /// the server must chain to that root (Rampart's CA) and nothing else; without it, the system trust store decides.
    /// </summary>
    public AdminClient(Uri server, string? bearerToken, X509Certificate2? trustAnchor)
    {
        var handler = new SocketsHttpHandler();
        if (trustAnchor is not null)
        {
            handler.SslOptions.CertificateChainPolicy = FixedRootChain.Policy(trustAnchor);
        }

        _http = new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromMinutes(2) };
        if (bearerToken is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearerToken);
        }
    }

    /// <summary>A client for <paramref name="server"/> (https), trusting only <paramref name="caPem"/> when given.</summary>
    public static AdminClient ForServer(string server, string? bearerToken, string? caPem)
    {
        if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new AdminCommandException($"--server: '{server}' is not an https:// URL");
        }

        return new AdminClient(uri, bearerToken, caPem is null ? null : X509Certificate2.CreateFromPem(caPem));
    }

    /// <summary>True when the exception means nothing is listening on the socket (node not running).</summary>
    public static bool IsNotRunning(Exception exception) =>
        exception is HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported } }
        || exception is HttpRequestException { InnerException: SocketException socket } && socket.ErrorCode == 2; // ENOENT: no socket file

    /// <summary>Sends a request (with an optional body: JSON, or raw <see cref="HttpContent"/> as is) and returns the JSON answer, or throws <see cref="AdminCommandException"/> with the node's reason.</summary>
    public async Task<T> SendAsync<T>(HttpMethod method, string path, CancellationToken cancellationToken, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = body as HttpContent ?? JsonBody(body);

            // A raw upload (a firmware image) waits for "100 Continue", so the node can refuse it by its
            // length or the caller's permission before any of it is sent (RFC 9110 §10.1.1).
            request.Headers.ExpectContinue = body is HttpContent;
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new AdminCommandException(await ReasonAsync(response, cancellationToken));
        }

        if (response.StatusCode == System.Net.HttpStatusCode.NoContent)
        {
            return default!;
        }

        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
            ?? throw new AdminCommandException($"the node answered {method} {path} with an empty body");
    }

    /// <summary>
    /// Sends a JSON request and copies the answer's body to <paramref name="destination"/> as it arrives
    /// (an export of millions of messages never held whole in memory); returns the value of the answer's
    /// <paramref name="header"/>, or throws <see cref="AdminCommandException"/> with the node's reason.
    /// </summary>
    public async Task<string?> SendToAsync(HttpMethod method, string path, object body, Stream destination, string header, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonBody(body) };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new AdminCommandException(await ReasonAsync(response, cancellationToken));
        }

        await response.Content.CopyToAsync(destination, cancellationToken);
        return response.Headers.TryGetValues(header, out var values) ? values.FirstOrDefault() : null;
    }

    /// <summary>JSON as the API writes it: camelCase, enums as camelCase strings.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    // Serialized up front so the body has a Content-Length and leaves with the headers in one write,
    // instead of chunks a busy client may send seconds apart.
    private static ByteArrayContent JsonBody(object body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Json));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private static async Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var problem = JsonDocument.Parse(text);
            if (problem.RootElement.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } message)
            {
                return message;
            }

            if (problem.RootElement.TryGetProperty("title", out var title) && title.GetString() is { Length: > 0 } titleText)
            {
                return titleText;
            }
        }
        catch (JsonException)
        {
            // Not a problem document: fall through to the status line.
        }

        return $"the node answered {(int)response.StatusCode} {response.ReasonPhrase} {text}".TrimEnd();
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
