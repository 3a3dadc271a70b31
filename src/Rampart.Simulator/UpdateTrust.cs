using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Rampart.Device.Connection;

namespace Rampart.Simulator;

/// <summary>
/// What a device is provisioned with for updates: the TUF root (version 1) and the firmware signing public
/// keys. The simulator fetches them from the node over TLS pinned to the Rampart root, as a factory
/// provisioning station would.
/// </summary>
public sealed record UpdateTrust(byte[] TufRoot, string ManifestEcdsaPem, byte[] ManifestLmsKey)
{
    /// <summary>Fetches the trust material; null when the node does not serve it.</summary>
    public static async Task<UpdateTrust?> FetchAsync(Uri server, X509Certificate2 rampartRoot, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { SslOptions = RampartTls.ClientOptions(server.Host, rampartRoot, null) })
        {
            BaseAddress = server,
            Timeout = TimeSpan.FromSeconds(60),
        };
        try
        {
            var root = await http.GetByteArrayAsync("tuf/metadata/1.root.json", cancellationToken);
            var keys = await http.GetFromJsonAsync<JsonObject>("firmware/keys.json", cancellationToken);
            return keys?["ecdsaP256"]?.GetValue<string>() is { } ecdsa && keys["lms"]?.GetValue<string>() is { } lms
                ? new UpdateTrust(root, ecdsa, Convert.FromHexString(lms))
                : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
