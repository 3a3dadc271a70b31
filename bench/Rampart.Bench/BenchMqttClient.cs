using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Rampart.Device.Connection;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Bench;

/// <summary>
/// The load generator's MQTT client: mutual TLS, Rampart's codec, writes batched into a pipe and
/// flushed by the caller, so the generator spends its CPU on the broker's behalf, not its own.
/// </summary>
internal sealed class BenchMqttClient : IAsyncDisposable
{
    private readonly SslStream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly MqttEncoder _encoder = new();
    private readonly MqttDecoder _decoder;

    private BenchMqttClient(SslStream stream, MqttProtocolVersion version)
    {
        _stream = stream;
        Version = version;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        _decoder = new MqttDecoder(uint.MaxValue) { Version = version };
    }

    public MqttProtocolVersion Version { get; }

    public static async Task<BenchMqttClient> ConnectAsync(
        string host, int port, X509Certificate2 certificate, X509Certificate2 root, string clientId, MqttProtocolVersion version, ushort keepAlive = 600,
        System.Net.IPAddress? localAddress = null)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (localAddress is not null)
        {
            // Loopback source addresses 127.0.x.y spread many generators' connections over more ephemeral ports than one address has.
            socket.Bind(new System.Net.IPEndPoint(localAddress, 0));
        }

        await socket.ConnectAsync(host, port);
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await stream.AuthenticateAsClientAsync(RampartTls.ClientOptions("localhost", root, certificate));
        var client = new BenchMqttClient(stream, version);
        client.Queue(new ConnectPacket { ProtocolVersion = version, ClientId = clientId, CleanStart = true, KeepAliveSeconds = keepAlive });
        await client.FlushAsync();
        var connAck = await client.ReceiveAsync() as ConnAckPacket;
        if (connAck?.ReasonCode != MqttReasonCode.Success)
        {
            throw new InvalidOperationException($"{clientId}: CONNACK {connAck?.ReasonCode.ToString() ?? "missing"}");
        }

        return client;
    }

    public static X509Certificate2 LoadIdentity(string directory, string name)
    {
        using var pem = X509Certificate2.CreateFromPemFile(Path.Combine(directory, name + ".crt"), Path.Combine(directory, name + ".key"));
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Encodes a packet into the write buffer; nothing is sent until <see cref="FlushAsync"/>.</summary>
    public void Queue(MqttPacket packet) => _encoder.Encode(packet, Version, _writer);

    public void QueuePublish(string topic, ReadOnlySpan<byte> payload, MqttQualityOfService qos, ushort packetId) =>
        _encoder.EncodePublish(topic, payload, qos, false, false, packetId, MqttProperties.Empty, Version, _writer);

    public async ValueTask FlushAsync() => await _writer.FlushAsync();

    /// <summary>One packet, or null at the end of the stream.</summary>
    public async Task<MqttPacket?> ReceiveAsync()
    {
        MqttPacket? packet = null;
        await ReadAsync(p =>
        {
            packet = p;
            return false;
        });
        return packet;
    }

    /// <summary>Decodes packets until <paramref name="onPacket"/> returns false or the stream ends.</summary>
    public async Task ReadAsync(Func<MqttPacket, bool> onPacket, bool flushAfterBatch = false)
    {
        while (true)
        {
            var result = await _reader.ReadAsync();
            var buffer = result.Buffer;
            var more = true;
            while (more && _decoder.TryDecode(buffer, out var packet, out var consumed, out var error) is var status && status != MqttDecodeStatus.NeedMoreData)
            {
                if (status == MqttDecodeStatus.Malformed)
                {
                    throw new InvalidDataException(error.Message);
                }

                buffer = buffer.Slice(consumed);
                more = onPacket(packet!);
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (flushAfterBatch)
            {
                // Acknowledgements queued while decoding go out once per read, not once per packet.
                await FlushAsync();
            }

            if (!more || result.IsCompleted)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            Queue(new DisconnectPacket());
            await FlushAsync();
        }
        catch (IOException)
        {
            // The broker closed first.
        }

        await _reader.CompleteAsync();
        await _writer.CompleteAsync();
        await _stream.DisposeAsync();
        _encoder.Dispose();
    }
}
