using System.Net;
using System.Security.Cryptography.X509Certificates;
using Rampart.Updates.Tuf;

namespace Rampart.Device.Updates;

/// <summary>
/// A Rampart node's TUF repository over HTTPS (<c>https://node/tuf/</c>), trusting only the Rampart root.
/// TLS is not what makes updates safe — TUF metadata is — but it keeps what a device fetches private.
/// </summary>
public sealed class HttpsTufRepository : ITufRepository, IDisposable
{
    private readonly HttpClient _http;

    /// <summary>A repository at <paramref name="server"/> (the node's HTTPS address).</summary>
    public HttpsTufRepository(Uri server, X509Certificate2 trustedRoot, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler { SslOptions = Connection.RampartTls.ClientOptions(server.Host, trustedRoot, null) };
        _http = new HttpClient(handler) { BaseAddress = new Uri(server, "/tuf/"), Timeout = timeout ?? TimeSpan.FromMinutes(5) };
    }

    /// <inheritdoc />
    public async Task<byte[]?> FetchAsync(string path, long maxLength, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();

        // Read at most maxLength + 1 bytes, whatever Content-Length claims (endless-data attack).
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, maxLength + 1 - buffer.Length)), cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxLength)
            {
                break;
            }
        }

        return buffer.ToArray();
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
