using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Org.BouncyCastle.Tls;

namespace Rampart.Adapters.Dtls;

/// <summary>
/// The datagrams of one remote endpoint, as BouncyCastle's DTLS reads and writes them: the listener's
/// receive loop hands each datagram from that endpoint in (a small bounded queue: a peer that floods
/// loses its excess, never the node's memory), sends go out on the listener's socket.
/// </summary>
internal sealed class PeerTransport(Socket socket, IPEndPoint remote) : DatagramTransport
{
    /// <summary>Datagrams held for a peer before more are dropped.</summary>
    public const int QueueBound = 64;

    // RFC 6347 §4.1.1: keep records within the path MTU; 1200 bytes fits IPv6's minimum with room to spare.
    private const int SendLimit = 1200;
    private const int ReceiveLimit = 4096;

    private readonly BlockingCollection<byte[]> _queue = new(QueueBound);
    private long _dropped;

    public IPEndPoint Remote { get; } = remote;

    /// <summary>Datagrams dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>True while datagrams wait.</summary>
    public bool HasPending => _queue.Count > 0;

    /// <summary>Queues one datagram from the peer.</summary>
    public void Deliver(byte[] datagram)
    {
        if (_queue.IsAddingCompleted || !_queue.TryAdd(datagram))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public int GetReceiveLimit() => ReceiveLimit;

    public int GetSendLimit() => SendLimit;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        try
        {
            if (!_queue.TryTake(out var datagram, Math.Max(0, waitMillis)))
            {
                return -1;
            }

            var length = Math.Min(datagram.Length, buffer.Length);
            datagram.AsSpan(0, length).CopyTo(buffer);
            return length;
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer)
    {
        try
        {
            socket.SendTo(buffer, SocketFlags.None, Remote);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // UDP: a send that fails is a datagram lost; DTLS retransmits where it must.
        }
    }

    public void Close() => _queue.CompleteAdding();
}

/// <summary>Sends to one address without any state (the HelloVerifyRequest of the stateless cookie exchange).</summary>
internal sealed class StatelessSender(Socket socket, IPEndPoint remote) : DatagramSender
{
    private long _bytes;

    /// <summary>Bytes sent.</summary>
    public long Bytes => _bytes;

    public int GetSendLimit() => 1200;

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer)
    {
        _bytes += buffer.Length;
        try
        {
            socket.SendTo(buffer, SocketFlags.None, remote);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
        }
    }
}
