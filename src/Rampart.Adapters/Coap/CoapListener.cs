using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Rampart.Adapters.Dtls;
using Rampart.Adapters.FrontDoors;
using Rampart.Adapters.Identity;
using Rampart.Adapters.Links;

namespace Rampart.Adapters.Coap;

/// <summary>
/// CoAP over DTLS 1.2 on its own UDP port (RFC 7252 §9, RFC 6347). Per datagram: 1. an established
/// session's datagrams go to it; 2. from an unknown address, only a ClientHello with a valid cookie
/// starts anything: the stateless cookie exchange (§4.2.1, HelloVerifyRequest) answers the first one
/// and keeps no state, so a spoofed source gets one small reply (no amplification) and costs nothing;
/// 3. a verified ClientHello takes a handshake lease (<see cref="HandshakeLimiter"/>) and runs the
/// handshake on its own thread (BouncyCastle's DTLS is blocking), bounded in time; 4. the handshake's
/// credential becomes the device identity exactly as the gateway resolves it, or the refusal is
/// recorded like an MQTT one.
/// </summary>
public sealed partial class CoapListener : IAsyncDisposable
{
    private readonly CoapListenerOptions _options;
    private readonly AdapterOptions _adapterOptions;
    private readonly DeviceLinks _links;
    private readonly PskDevices _psks;
    private readonly CertificateDevices _certificates;
    private readonly AdapterGateway _gateway;
    private readonly DtlsIdentityCredentials _credentials;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly BcTlsCrypto _crypto = new(new SecureRandom());
    private readonly DtlsVerifier _verifier;
    private readonly ConcurrentDictionary<IPEndPoint, Peer> _peers = new();
    private readonly CancellationTokenSource _stop = new();
    private Socket? _socket;
    private Task _receive = Task.CompletedTask;
    private ITimer? _sweep;
    private long _cookiesSent;
    private long _cookieBytes;
    private long _ignored;
    private long _observersDropped;

    public CoapListener(CoapListenerOptions options, AdapterOptions adapterOptions, DeviceLinks links, PskDevices psks, CertificateDevices certificates,
        AdapterGateway gateway, DtlsIdentityCredentials credentials, ILogger<CoapListener> logger, TimeProvider time)
    {
        _options = options;
        _adapterOptions = adapterOptions;
        _links = links;
        _psks = psks;
        _certificates = certificates;
        _gateway = gateway;
        _credentials = credentials;
        _logger = logger;
        _time = time;
        _verifier = new DtlsVerifier(_crypto);
        _links.CredentialEnded += EndSessions;
        Handshakes = new HandshakeLimiter(options.MaxHandshakes, options.MaxHandshakesPerSource, options.HandshakesPerSourcePerMinute, options.HandshakeBurstPerSource, time);
    }

    /// <summary>The bound address (with the real port when 0 was asked for); null until started.</summary>
    public IPEndPoint? BoundEndPoint { get; private set; }

    /// <summary>The handshake limits and their counts.</summary>
    public HandshakeLimiter Handshakes { get; }

    /// <summary>HelloVerifyRequests sent (stateless: nothing kept per request).</summary>
    public long CookiesSent => Interlocked.Read(ref _cookiesSent);

    /// <summary>Bytes of those HelloVerifyRequests.</summary>
    public long CookieBytes => Interlocked.Read(ref _cookieBytes);

    /// <summary>Datagrams from unknown addresses that were not a ClientHello, or over a limit.</summary>
    public long Ignored => Interlocked.Read(ref _ignored);

    /// <summary>Addresses with a handshake under way or an established session.</summary>
    public int Peers => _peers.Count;

    /// <summary>Established sessions.</summary>
    public int Sessions => _peers.Values.Count(p => p.Session is not null);

    /// <summary>Retransmitted CoAP messages the sessions answered from memory (RFC 7252 §4.5).</summary>
    public long Duplicates => _peers.Values.Sum(p => p.Session?.Duplicates ?? 0);

    /// <summary>Confirmable notifications retransmitted (RFC 7252 §4.2) in the sessions open now.</summary>
    public long Retransmissions => _peers.Values.Sum(p => p.Session?.Retransmissions ?? 0);

    /// <summary>Observers removed because they acknowledged no retransmission of a notification (RFC 7641 §4.5), since the start.</summary>
    public long ObserversDropped => Interlocked.Read(ref _observersDropped);

    private void ObserverDropped() => Interlocked.Increment(ref _observersDropped);

    /// <summary>Binds and starts receiving; throws <see cref="SocketException"/> when the address is taken.</summary>
    public void Start(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(endpoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        BoundEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _receive = Task.Run(ReceiveAsync);
        _sweep = _time.CreateTimer(_ => _ = SweepAsync(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        LogListening(_logger, BoundEndPoint, _credentials.Fingerprint);
    }

    public async ValueTask DisposeAsync()
    {
        _links.CredentialEnded -= EndSessions;
        _stop.Cancel();
        _sweep?.Dispose();
        _socket?.Dispose();
        await _receive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var peer in _peers.Values)
        {
            if (peer.Session is { } session)
            {
                await session.DisposeAsync();
            }

            peer.Transport.Close();
        }

        _peers.Clear();
    }

    private async Task ReceiveAsync()
    {
        var socket = _socket!;
        var buffer = new byte[65_536];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // ICMP unreachable reported on the next receive (Linux): the datagram is gone, the socket is fine.
            }

            var remote = (IPEndPoint)received.RemoteEndPoint;
            var datagram = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            if (_peers.TryGetValue(remote, out var peer))
            {
                peer.Transport.Deliver(datagram);
                peer.Session?.Pump();
                continue;
            }

            Admit(socket, remote, datagram);
        }
    }

    private void Admit(Socket socket, IPEndPoint remote, byte[] datagram)
    {
        // RFC 6347 §4.2.1: the cookie binds the ClientHello to the address it came from.
        var sender = new StatelessSender(socket, remote);
        var request = _verifier.VerifyRequest(remote.Serialize().Buffer.ToArray(), datagram, 0, datagram.Length, sender);
        if (request is null)
        {
            if (sender.Bytes > 0)
            {
                Interlocked.Increment(ref _cookiesSent);
                Interlocked.Add(ref _cookieBytes, sender.Bytes);
            }
            else
            {
                Interlocked.Increment(ref _ignored);
            }

            return;
        }

        if (_peers.Count >= _options.MaxSessions + _options.MaxHandshakes)
        {
            Interlocked.Increment(ref _ignored);
            _gateway.Refusals.Record(remote.ToString(), "coap-session-limit", $"the CoAP listener holds its maximum of {_options.MaxSessions} sessions");
            return;
        }

        var (lease, limit) = Handshakes.TryBegin(remote.Address);
        if (lease is null)
        {
            Interlocked.Increment(ref _ignored);
            _gateway.Refusals.Record(remote.ToString(), "dtls-handshake-limit", limit!);
            return;
        }

        var peer = new Peer(new PeerTransport(socket, remote));
        if (!_peers.TryAdd(remote, peer))
        {
            lease.Dispose();
            return;
        }

        var thread = new Thread(() => Handshake(peer, request, lease)) { IsBackground = true, Name = "rampart-dtls-handshake" };
        thread.Start();
    }

    private void Handshake(Peer peer, DtlsRequest request, IDisposable lease)
    {
        var source = peer.Transport.Remote.ToString();
        var server = new TimedServerPeer(_crypto, _credentials, deviceId => _psks.KeyAsync(deviceId, _stop.Token).GetAwaiter().GetResult(), _options.HandshakeTimeout);
        DtlsTransport dtls;
        try
        {
            dtls = new DtlsServerProtocol().Accept(server, peer.Transport, request);
        }
        catch (Exception exception) when (exception is IOException or TlsException or ObjectDisposedException)
        {
            Forget(peer);
            var (code, detail) = server.UnknownPskIdentity
                ? ("unknown-psk-identity", $"no PSK is issued for PSK identity '{Fleet.Errors.Echo.Of(server.PskIdentity ?? "?")}'")
                : server.PskIdentity is not null
                    ? ("psk-mismatch", $"the DTLS handshake for PSK identity '{Fleet.Errors.Echo.Of(server.PskIdentity)}' failed: the device did not prove the issued key")
                    : ("dtls-handshake-failed", $"the DTLS handshake did not complete: {exception.Message}");
            _gateway.Refusals.Record(source, code, detail, clientId: server.PskIdentity);
            return;
        }
        finally
        {
            lease.Dispose();
        }

        _ = Task.Run(() => EstablishAsync(peer, dtls, server));
    }

    private async Task EstablishAsync(Peer peer, DtlsTransport dtls, DtlsServerPeer server)
    {
        var source = peer.Transport.Remote.ToString();
        Func<CancellationToken, Task<FrontDoorResolution>> resolve;
        if (server.PskCredential is { } credential && server.PskIdentity is { } deviceId)
        {
            resolve = cancellationToken => _psks.ResolveAsync(deviceId, credential, FrontDoorNames.Coap, cancellationToken);
        }
        else
        {
            var certificate = X509CertificateLoader.LoadCertificate(server.ClientCertificate!);
            resolve = cancellationToken => _certificates.ResolveAsync(certificate, FrontDoorNames.Coap, chainVerified: false, cancellationToken);
        }

        FrontDoorResolution resolution;
        try
        {
            resolution = await resolve(_stop.Token);
        }
        catch (Exception exception)
        {
            // The stores failed (or a logic bug): the session is not served, and the failure is visible.
            LogEstablishFailed(_logger, source, exception);
            Forget(peer);
            dtls.Close();
            return;
        }

        if (resolution.Identity is not { } identity)
        {
            _gateway.Refusals.Record(source, resolution.Refusal!.Code, resolution.Refusal.Message, clientId: server.PskIdentity);
            Forget(peer);
            dtls.Close();
            return;
        }

        peer.Session = new CoapSession(dtls, peer.Transport, identity, resolve, _links, _gateway, _adapterOptions, _options, ObserverDropped, _time);
        LogEstablished(_logger, source, identity.Identity.Principal, identity.Credential);
        peer.Session.Pump();
    }

    /// <summary>True while a session of <paramref name="deviceId"/> has a registered observation of <c>/c</c>.</summary>
    public bool Observing(string deviceId) => _peers.Values.Any(p => p.Session is { Closed: false, Observing: true } session && session.Identity.DeviceId == deviceId);

    /// <summary>Established sessions of <paramref name="deviceId"/> now.</summary>
    public int SessionsOf(string deviceId) => _peers.Values.Count(p => p.Session is { Closed: false } session && session.Identity.DeviceId == deviceId);

    // A credential ended (rotated, revoked, here or on another node): its DTLS sessions close at once
    // (close_notify), rather than at their next request or their idle timeout.
    private void EndSessions(string deviceId, string credential)
    {
        foreach (var peer in _peers.Values.ToArray())
        {
            if (peer.Session is { } session && session.Identity.DeviceId == deviceId && session.Identity.Credential == credential)
            {
                Forget(peer);
                _ = Task.Run(async () => await session.DisposeAsync());
                LogCredentialEnded(_logger, session.Source, session.Identity.Identity.Principal, credential);
            }
        }
    }

    private void Forget(Peer peer)
    {
        _peers.TryRemove(new KeyValuePair<IPEndPoint, Peer>(peer.Transport.Remote, peer));
        peer.Transport.Close();
    }

    private async Task SweepAsync()
    {
        foreach (var peer in _peers.Values.ToArray())
        {
            if (peer.Session is { } session && (session.Closed || session.Idle > _options.SessionIdleTimeout))
            {
                Forget(peer);
                await session.DisposeAsync();
            }
        }
    }

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "CoAP DTLS session from {Source} as {Principal} closed: its credential {Credential} ended")]
    private static partial void LogCredentialEnded(ILogger logger, string source, string principal, string credential);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "CoAP over DTLS listening on udp {EndPoint} (server certificate sha256 {Fingerprint})")]
    private static partial void LogListening(ILogger logger, IPEndPoint endPoint, string fingerprint);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "CoAP DTLS session from {Source} as {Principal} ({Credential})")]
    private static partial void LogEstablished(ILogger logger, string source, string principal, string credential);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Error, Message = "CoAP DTLS session from {Source} could not be resolved to an identity")]
    private static partial void LogEstablishFailed(ILogger logger, string source, Exception exception);

    private sealed class Peer(PeerTransport transport)
    {
        public PeerTransport Transport { get; } = transport;

        public CoapSession? Session { get; set; }
    }

    // The handshake's time bound (RFC 6347 §4.2.4 retransmissions stop there).
    private sealed class TimedServerPeer(BcTlsCrypto crypto, DtlsIdentityCredentials credentials, Func<string, (byte[] Key, string Credential)?> psk, TimeSpan timeout)
        : DtlsServerPeer(crypto, credentials, psk)
    {
        public override int GetHandshakeTimeoutMillis() => (int)timeout.TotalMilliseconds;
    }
}
