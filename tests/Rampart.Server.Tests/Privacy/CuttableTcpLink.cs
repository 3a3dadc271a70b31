using System.Net;
using System.Net.Sockets;

namespace Rampart.Server.Tests.Privacy;

/// <summary>
/// A loopback TCP relay to a real server that a test can cut (every connection closed, the port
/// refusing) and restore on the same port: one node's link to NATS partitioned while the others keep theirs.
/// </summary>
internal sealed class CuttableTcpLink : IDisposable
{
    private readonly Uri _target;
    private readonly Lock _lock = new();
    private readonly List<TcpClient> _open = [];
    private TcpListener _listener;

    public CuttableTcpLink(Uri target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync(_listener);
    }

    public int Port { get; }

    /// <summary>The link's address with the target's scheme.</summary>
    public Uri Url => new($"{_target.Scheme}://127.0.0.1:{Port}");

    /// <summary>Closes every connection and stops listening: connecting is refused until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _listener.Stop();
        lock (_lock)
        {
            foreach (var client in _open)
            {
                client.Client.Close(0);
            }

            _open.Clear();
        }
    }

    /// <summary>Listens again on the same port.</summary>
    public void Restore()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = AcceptAsync(_listener);
    }

    public void Dispose() => Cut();

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync();
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(_target.Host, _target.Port);
            }
            catch (SocketException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }

            lock (_lock)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }

            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // Cut, or the other side closed.
        }
        finally
        {
            from.Client.Close(0);
            to.Client.Close(0);
        }
    }
}
