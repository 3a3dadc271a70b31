using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Device.Connection.Tls;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Device.Connection;

/// <summary>One connection of the client: its TLS stream, the codec, and one writer at a time.</summary>
public sealed partial class DeviceMqttClient
{
    // One TLS connection (SslStream, or libssl for a TPM-held key): writes serialised, reads decoded in order.
    private sealed class Link : IAsyncDisposable
    {
        private readonly Func<ValueTask> _close;
        private readonly Action _abort;
        private readonly PipeReader _reader;
        private readonly PipeWriter _writer;
        private readonly MqttEncoder _encoder = new();
        private readonly MqttDecoder _decoder = new(16 * 1024 * 1024) { Version = MqttProtocolVersion.V500 };
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private bool _closed;

        private Link(PipeReader reader, PipeWriter writer, Func<ValueTask> close, Action abort)
        {
            _reader = reader;
            _writer = writer;
            _close = close;
            _abort = abort;
        }

        public static async Task<Link> OpenAsync(DeviceConnectionOptions options, CancellationToken cancellationToken)
        {
            if (options.TlsStack == DeviceTlsStack.OpenSsl)
            {
                var certificate = options.Certificate();
                using var key = certificate.GetECDsaPrivateKey() ?? throw new CryptographicException("the device certificate has no ECDSA private key for the OpenSSL TLS client");
                var tls = await OpenSslClientConnection.ConnectAsync(options.Host, options.Port, options.ServerName, options.TrustedRoot, certificate, key, options.LocalAddress, options.ConnectTimeout, cancellationToken);
                return new Link(tls.Input, tls.Output, tls.DisposeAsync, tls.Abort);
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                if (options.LocalAddress is { } local)
                {
                    socket.Bind(new System.Net.IPEndPoint(local, 0));
                }

                await socket.ConnectAsync(options.Host, options.Port, cancellationToken);
                var stream = new SslStream(new NetworkStream(socket, ownsSocket: true));
                await stream.AuthenticateAsClientAsync(RampartTls.ClientOptions(options.ServerName, options.TrustedRoot, options.Certificate()), cancellationToken);
                return new Link(PipeReader.Create(stream), PipeWriter.Create(stream), stream.DisposeAsync, stream.Dispose);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        public async Task<ConnAckPacket> ConnectAsync(DeviceConnectionOptions options, CancellationToken cancellationToken)
        {
            await SendAsync(new ConnectPacket
            {
                ClientId = options.DeviceId,
                CleanStart = false,
                KeepAliveSeconds = (ushort)Math.Clamp(options.KeepAlive.TotalSeconds, 1, ushort.MaxValue),
                Properties = new MqttProperties { SessionExpiryInterval = (uint)options.SessionExpiry.TotalSeconds },
            });
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(30));
            return await ReceiveAsync(deadline.Token) as ConnAckPacket ?? throw new InvalidDataException("the gateway did not answer CONNECT with CONNACK");
        }

        public async Task SendAsync(MqttPacket packet)
        {
            await _writeLock.WaitAsync();
            try
            {
                // The message handler acknowledges from its own task and may race the link's end.
                ObjectDisposedException.ThrowIf(_closed, this);
                _encoder.Encode(packet, MqttProtocolVersion.V500, _writer);
                await _writer.FlushAsync();
            }
            finally
            {
                _writeLock.Release();
            }
        }

        /// <summary>The next packet, or null when the gateway closed the connection.</summary>
        public async Task<MqttPacket?> ReceiveAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var result = await _reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                var status = _decoder.TryDecode(buffer, out var packet, out var consumed, out var error);
                if (status == MqttDecodeStatus.Complete)
                {
                    _reader.AdvanceTo(consumed);
                    return packet;
                }

                if (status == MqttDecodeStatus.Malformed)
                {
                    throw new InvalidDataException("the gateway sent a malformed packet: " + error.Message);
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return null;
                }
            }
        }

        public void Abort() => _abort();

        public async ValueTask DisposeAsync()
        {
            // Under the write lock, so no send is half-way through the encoder being disposed.
            await _writeLock.WaitAsync();
            try
            {
                if (_closed)
                {
                    return;
                }

                _closed = true;
                await _reader.CompleteAsync();
                await _writer.CompleteAsync();
                await _close();
                _encoder.Dispose();
            }
            finally
            {
                _writeLock.Release();
            }
        }
    }
}
