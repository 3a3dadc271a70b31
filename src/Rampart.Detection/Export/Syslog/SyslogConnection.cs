using System.Net.Security;
using System.Net.Sockets;

namespace Rampart.Detection.Export;

/// <summary>
/// One TLS connection to a collector, with a reader that watches for its end. A collector sends
/// nothing back (RFC 5425 has no acknowledgement), so the only sign it went away is the connection
/// closing — which a write alone does not notice: it "succeeds" into the dead socket once.
/// </summary>
internal sealed class SyslogConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly Task _watch;
    private volatile bool _closed;

    public SyslogConnection(TcpClient client, SslStream stream)
    {
        _client = client;
        Stream = stream;
        _watch = WatchAsync();
    }

    public SslStream Stream { get; }

    /// <summary>False once the collector closed or reset the connection.</summary>
    public bool Open => !_closed;

    public async ValueTask DisposeAsync()
    {
        _closed = true;
        await Stream.DisposeAsync();
        _client.Dispose();
        await _watch;
    }

    // Reads (and discards) whatever the collector sends — TLS 1.3 session tickets, a close_notify —
    // until the connection ends.
    private async Task WatchAsync()
    {
        var buffer = new byte[256];
        try
        {
            while (await Stream.ReadAsync(buffer) > 0)
            {
            }
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or InvalidOperationException or System.Security.Authentication.AuthenticationException)
        {
            // Reset or closed by us: either way the connection is over.
        }

        _closed = true;
    }
}
