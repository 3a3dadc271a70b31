using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Rampart.Device.Connection;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Attack.Probes;

/// <summary>
/// A packet-level MQTT client on Rampart's codec: sends any packet (well-formed or not)
/// and hands back every packet the server sends, in order, so tests can check the exact bytes of
/// the protocol rather than what a full client library would hide.
/// </summary>
public sealed class MqttProbeClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly IAsyncDisposable? _owner;
    private readonly MqttEncoder _encoder = new();
    private readonly MqttDecoder _decoder;
    private readonly Channel<MqttPacket> _received = Channel.CreateUnbounded<MqttPacket>();
    private readonly Task _reader;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private volatile TaskCompletionSource? _paused;

    private MqttProbeClient(PipeReader input, PipeWriter output, MqttProtocolVersion version, IAsyncDisposable? owner)
    {
        _input = input;
        _output = output;
        _owner = owner;
        Version = version;
        _decoder = new MqttDecoder(uint.MaxValue) { Version = version };
        _reader = Task.Run(ReadLoopAsync);
    }

    public MqttProtocolVersion Version { get; }

    /// <summary>True once the server closed the connection (or it failed).</summary>
    public bool Closed => _reader.IsCompleted;

    /// <summary>A client over in-memory pipes (the broker gets the other ends).</summary>
    public static MqttProbeClient Over(PipeReader fromServer, PipeWriter toServer, MqttProtocolVersion version = MqttProtocolVersion.V500) =>
        new(fromServer, toServer, version, null);

    /// <summary>A client over TCP and TLS with a client certificate (or none), trusting only <paramref name="trustedRoot"/>.</summary>
    public static async Task<MqttProbeClient> ConnectTlsAsync(
        IPEndPoint endPoint, X509Certificate2? clientCertificate, X509Certificate2 trustedRoot, MqttProtocolVersion version = MqttProtocolVersion.V500,
        IPAddress? localAddress = null)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (localAddress is not null)
        {
            socket.Bind(new IPEndPoint(localAddress, 0));
        }

        await socket.ConnectAsync(endPoint);
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await ssl.AuthenticateAsClientAsync(RampartTls.ClientOptions("localhost", trustedRoot, clientCertificate));
        return new MqttProbeClient(PipeReader.Create(ssl), PipeWriter.Create(ssl), version, ssl);
    }

    /// <summary>Stops reading from the connection (a slow or stuck subscriber) until <see cref="ResumeReading"/>.</summary>
    public void PauseReading() => _paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ResumeReading() => Interlocked.Exchange(ref _paused, null)?.TrySetResult();

    /// <summary>Sends CONNECT and returns the CONNACK.</summary>
    public async Task<ConnAckPacket> ConnectAsync(string clientId, bool cleanStart = true, ushort keepAlive = 60, MqttProperties? properties = null, WillMessage? will = null)
    {
        await SendAsync(new ConnectPacket
        {
            ProtocolVersion = Version, ClientId = clientId, CleanStart = cleanStart, KeepAliveSeconds = keepAlive,
            Properties = properties ?? MqttProperties.Empty, Will = will,
        });
        return await ExpectAsync<ConnAckPacket>();
    }

    /// <summary>Subscribes and returns the SUBACK.</summary>
    public async Task<SubAckPacket> SubscribeAsync(ushort packetId, params TopicSubscription[] subscriptions)
    {
        await SendAsync(new SubscribePacket(packetId, subscriptions));
        return await ExpectAsync<SubAckPacket>();
    }

    public async Task SendAsync(MqttPacket packet)
    {
        await _sendLock.WaitAsync();
        try
        {
            _encoder.Encode(packet, Version, _output);
            await _output.FlushAsync();
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends raw bytes (for malformed-input tests).</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _output.WriteAsync(bytes);
    }

    /// <summary>The next packet, or null when the connection closed first.</summary>
    public async Task<MqttPacket?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await _received.Reader.ReadAsync(cancel.Token);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no packet within {(timeout ?? DefaultTimeout).TotalSeconds} s");
        }
    }

    /// <summary>The next packet, which must be a <typeparamref name="T"/>.</summary>
    public async Task<T> ExpectAsync<T>(TimeSpan? timeout = null)
        where T : MqttPacket
    {
        var packet = await ReceiveAsync(timeout);
        return packet as T ?? throw new InvalidOperationException($"expected {typeof(T).Name}, got {(packet is null ? "the connection closed" : packet.ToString())}");
    }

    /// <summary>True when nothing arrives within <paramref name="quiet"/> (and the connection is still open).</summary>
    public async Task<bool> NothingWithinAsync(TimeSpan quiet)
    {
        try
        {
            _ = await ReceiveAsync(quiet);
            return false;
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

    /// <summary>Waits until the server closes the connection; returns the packets it sent meanwhile.</summary>
    public async Task<IReadOnlyList<MqttPacket>> WaitClosedAsync(TimeSpan? timeout = null)
    {
        var packets = new List<MqttPacket>();
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await foreach (var packet in _received.Reader.ReadAllAsync(cancel.Token))
            {
                packets.Add(packet);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the connection was still open after {(timeout ?? DefaultTimeout).TotalSeconds} s; received {string.Join(", ", packets)}");
        }

        return packets;
    }

    public async ValueTask DisposeAsync()
    {
        ResumeReading();
        try
        {
            // Completing flushes what is buffered: on a connection the server already closed that fails, harmlessly.
            await _output.CompleteAsync();
        }
        catch (IOException)
        {
        }

        await _input.CompleteAsync();
        if (_owner is not null)
        {
            try
            {
                await _owner.DisposeAsync();
            }
            catch (IOException)
            {
            }
        }

        await _reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _encoder.Dispose();
        _sendLock.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                if (_paused is { } paused)
                {
                    await paused.Task;
                }

                var result = await _input.ReadAsync();
                var buffer = result.Buffer;
                while (_decoder.TryDecode(buffer, out var packet, out var consumed, out var error) is var status && status != MqttDecodeStatus.NeedMoreData)
                {
                    if (status == MqttDecodeStatus.Malformed)
                    {
                        throw new InvalidDataException("the server sent a malformed packet: " + error.Message);
                    }

                    _received.Writer.TryWrite(packet!);
                    buffer = buffer.Slice(consumed);
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            _received.Writer.TryComplete();
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or ObjectDisposedException or InvalidDataException or AuthenticationException)
        {
            _received.Writer.TryComplete(exception is InvalidDataException ? exception : null);
        }
    }
}
