using System.Net;
using System.Net.Sockets;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Rampart.Adapters.Coap;

namespace Rampart.Server.Tests.Adapters;

/// <summary>
/// A BouncyCastle DTLS 1.2 PSK client (TLS_PSK_WITH_AES_128_CCM_8) over a real UDP socket whose
/// transport can hold back the records it encrypts, so a test can send them later, out of order, or
/// twice — what an attacker on the path can do with recorded datagrams (RFC 6347 §4.1.2.6).
/// </summary>
internal sealed class DtlsTestClient : IDisposable
{
    private readonly HoldingTransport _transport;
    private readonly DtlsTransport _dtls;
    private readonly byte[] _buffer = new byte[2048];

    private DtlsTestClient(HoldingTransport transport, DtlsTransport dtls)
    {
        _transport = transport;
        _dtls = dtls;
    }

    public static Task<DtlsTestClient> ConnectAsync(IPEndPoint server, string identity, string key) => Task.Run(() =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        var transport = new HoldingTransport(socket);
        var client = new PskClient(new BcTlsCrypto(new SecureRandom()), new BasicTlsPskIdentity(identity, System.Text.Encoding.ASCII.GetBytes(key)));
        return new DtlsTestClient(transport, new DtlsClientProtocol().Connect(client, transport));
    });

    /// <summary>The last record sent on the wire, as sent.</summary>
    public byte[] LastSent => _transport.LastSent ?? throw new InvalidOperationException("nothing was sent");

    /// <summary>Encrypts and sends a CoAP message (or, inside <see cref="Hold"/>, encrypts it and returns the record unsent).</summary>
    public byte[] Send(CoapMessage message)
    {
        var datagram = CoapCodec.Encode(message);
        _dtls.Send(datagram, 0, datagram.Length);
        return _transport.LastSent!;
    }

    /// <summary>Records encrypted inside the scope are kept, not sent (each has the next sequence number).</summary>
    public IDisposable Hold() => _transport.Hold();

    /// <summary>Puts a recorded DTLS record on the wire as it is.</summary>
    public void SendRecord(byte[] record) => _transport.SendRaw(record);

    /// <summary>Receives CoAP messages until one with <paramref name="token"/>; returns it and the ones before it.</summary>
    public (CoapMessage Answer, List<CoapMessage> Before) ReceiveUntil(byte[] token, TimeSpan patience)
    {
        var before = new List<CoapMessage>();
        var deadline = DateTime.UtcNow + patience;
        while (DateTime.UtcNow < deadline)
        {
            var received = _dtls.Receive(_buffer, 0, _buffer.Length, 1000);
            if (received >= 0 && CoapCodec.TryDecode(_buffer.AsMemory(0, received).ToArray(), out var message, out _))
            {
                if (message!.Token.Span.SequenceEqual(token))
                {
                    return (message, before);
                }

                before.Add(message);
            }
        }

        throw new TimeoutException($"no answer with token {Convert.ToHexString(token)} within {patience}");
    }

    public void Dispose()
    {
        try
        {
            _dtls.Close();
        }
        catch (Exception exception) when (exception is IOException or TlsException)
        {
        }

        _transport.Close();
    }

    private sealed class PskClient(BcTlsCrypto crypto, TlsPskIdentity identity) : PskTlsClient(crypto, identity)
    {
        protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

        protected override int[] GetSupportedCipherSuites() => [CipherSuite.TLS_PSK_WITH_AES_128_CCM_8];

        // A refused handshake fails the test's await instead of waiting for ever (BouncyCastle's default is no limit).
        public override int GetHandshakeTimeoutMillis() => 15_000;
    }

    private sealed class HoldingTransport(Socket socket) : DatagramTransport
    {
        private volatile bool _holding;

        public byte[]? LastSent { get; private set; }

        public IDisposable Hold()
        {
            _holding = true;
            return new Resume(this);
        }

        public int GetReceiveLimit() => 2048;

        public int GetSendLimit() => 1200;

        public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

        public int Receive(Span<byte> buffer, int waitMillis) =>
            socket.Poll(TimeSpan.FromMilliseconds(waitMillis), SelectMode.SelectRead) ? socket.Receive(buffer) : -1;

        public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

        public void Send(ReadOnlySpan<byte> buffer)
        {
            LastSent = buffer.ToArray();
            if (!_holding)
            {
                socket.Send(buffer);
            }
        }

        public void SendRaw(byte[] record) => socket.Send(record);

        public void Close() => socket.Close();

        private sealed class Resume(HoldingTransport transport) : IDisposable
        {
            public void Dispose() => transport._holding = false;
        }
    }
}
