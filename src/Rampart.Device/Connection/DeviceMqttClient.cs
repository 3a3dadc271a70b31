using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Device.Connection;

/// <summary>
/// A device's MQTT 5 connection to its gateway over mutual TLS. It stays connected by itself:
/// reconnects with exponential backoff and full jitter, resumes its session (clean start 0 with a
/// session expiry), subscribes again when the session was lost, and sends unacknowledged QoS 1
/// publishes again with DUP after a reconnect (MQTT 5.0 §4.4), so a publish survives a broken link
/// or a gateway restart.
/// </summary>
public sealed class DeviceMqttClient : IAsyncDisposable
{
    private readonly DeviceConnectionOptions _options;
    private readonly Dictionary<ushort, Pending> _pending = [];
    private readonly Dictionary<string, MqttQualityOfService> _subscriptions = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstConnection = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Link? _link;
    private ushort _lastPacketId;
    private Task? _loop;

    public DeviceMqttClient(DeviceConnectionOptions options)
    {
        options.Validate();
        _options = options;
    }

    /// <summary>Called for every message delivered to the device; a QoS 1 message is acknowledged after it returns.</summary>
    public Func<DeviceMessage, Task>? OnMessage { get; set; }

    /// <summary>True while connected.</summary>
    public bool IsConnected => Volatile.Read(ref _link) is not null;

    /// <summary>The device id (from its certificate) this client connects as.</summary>
    public string DeviceId => _options.DeviceId;

    /// <summary>Connections made so far (1 after the first).</summary>
    public int Connections { get; private set; }

    /// <summary>CONNECTs the gateway refused as busy (0x89 Server busy, 0x88 Server unavailable); each is retried after the jittered backoff.</summary>
    public int BusyRefusals { get; private set; }

    /// <summary>Why the last connection attempt or connection failed, if it did.</summary>
    public string? LastError { get; private set; }

    /// <summary>Starts connecting in the background; completes when the first connection is up.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop ??= Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        return _firstConnection.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Subscribes now if connected, and again after any reconnect that lost the session.</summary>
    public async Task SubscribeAsync(string filter, MqttQualityOfService qos = MqttQualityOfService.AtLeastOnce)
    {
        Link? link;
        lock (_lock)
        {
            _subscriptions[filter] = qos;
            link = _link;
        }

        if (link is not null)
        {
            await link.SendAsync(new SubscribePacket(NextPacketId(), [new TopicSubscription(filter, qos)]));
        }
    }

    /// <summary>
    /// Publishes. QoS 0 is sent if connected and otherwise dropped; QoS 1 completes with the gateway's
    /// PUBACK reason code, waiting across reconnects up to <see cref="DeviceConnectionOptions.PublishTimeout"/>.
    /// </summary>
    public async Task<MqttReasonCode> PublishAsync(
        string topic, ReadOnlyMemory<byte> payload, MqttQualityOfService qos = MqttQualityOfService.AtLeastOnce, bool retain = false, CancellationToken cancellationToken = default)
    {
        if (qos == MqttQualityOfService.AtMostOnce)
        {
            if (Volatile.Read(ref _link) is { } current)
            {
                await current.SendAsync(new PublishPacket { Topic = topic, Payload = payload, Retain = retain });
            }

            return MqttReasonCode.Success;
        }

        if (qos != MqttQualityOfService.AtLeastOnce)
        {
            throw new ArgumentOutOfRangeException(nameof(qos), "the device client publishes at QoS 0 or 1");
        }

        var pending = new Pending(new PublishPacket { Topic = topic, Payload = payload.ToArray(), QoS = qos, Retain = retain, PacketId = NextPacketId() });
        Link? link;
        lock (_lock)
        {
            _pending[pending.Packet.PacketId] = pending;
            link = _link;
        }

        try
        {
            if (link is not null)
            {
                try
                {
                    await link.SendAsync(pending.Packet);
                }
                catch (Exception exception) when (exception is IOException or ObjectDisposedException or InvalidOperationException)
                {
                    // The link broke under us: the message stays pending and goes out again after the reconnect.
                }
            }

            return await pending.Acknowledged.Task.WaitAsync(_options.PublishTimeout, cancellationToken);
        }
        finally
        {
            lock (_lock)
            {
                _pending.Remove(pending.Packet.PacketId);
            }
        }
    }

    /// <summary>Reports the device's posture on <c>devices/{id}/state</c>, retained so a service sees the latest at once.</summary>
    public Task<MqttReasonCode> ReportPostureAsync(Posture.PostureReport report, CancellationToken cancellationToken = default) =>
        PublishAsync($"devices/{_options.DeviceId}/state", report.ToJson(), MqttQualityOfService.AtLeastOnce, retain: true, cancellationToken);

    /// <summary>Closes the current connection; the client reconnects by itself (used after a certificate switch).</summary>
    public void Reconnect() => Volatile.Read(ref _link)?.Abort();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _link) is { } link)
        {
            await link.SendAsync(new DisconnectPacket()).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private ushort NextPacketId()
    {
        lock (_lock)
        {
            do
            {
                _lastPacketId = (ushort)(_lastPacketId == ushort.MaxValue ? 1 : _lastPacketId + 1);
            }
            while (_pending.ContainsKey(_lastPacketId));

            return _lastPacketId;
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var link = await Link.OpenAsync(_options, stop);
                var connAck = await link.ConnectAsync(_options, stop);
                if (connAck.ReasonCode is MqttReasonCode.ServerBusy or MqttReasonCode.ServerUnavailable)
                {
                    // 5.0 §3.2.2.2: a busy server asks to be tried later. The backoff below grows with each
                    // refusal and is fully jittered, so a fleet refused together does not return together.
                    BusyRefusals++;
                }

                if (connAck.ReasonCode != MqttReasonCode.Success)
                {
                    throw new AuthenticationException($"the gateway refused the connection: {connAck.ReasonCode} {connAck.Properties.ReasonString}");
                }

                failures = 0;
                Connections++;
                await OnConnectedAsync(link, connAck.SessionPresent);
                _firstConnection.TrySetResult();
                await RunLinkAsync(link, stop);
            }
            catch (Exception exception) when (exception is IOException or SocketException or AuthenticationException or InvalidDataException or OperationCanceledException or ObjectDisposedException)
            {
                if (stop.IsCancellationRequested)
                {
                    break;
                }

                LastError = exception.Message;
            }
            finally
            {
                Volatile.Write(ref _link, null);
            }

            // Exponential backoff with full jitter: a fleet that lost its gateway does not come back all at once.
            var ceiling = Math.Min(_options.MaximumReconnectDelay.TotalMilliseconds, _options.InitialReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures++, 20)));
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling), stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task OnConnectedAsync(Link link, bool sessionPresent)
    {
        KeyValuePair<string, MqttQualityOfService>[] subscriptions;
        PublishPacket[] unacknowledged;
        lock (_lock)
        {
            subscriptions = [.. _subscriptions];
            unacknowledged = [.. _pending.Values.Select(p => p.Packet with { Duplicate = true }).OrderBy(p => p.PacketId)];
            Volatile.Write(ref _link, link);
        }

        if (!sessionPresent && subscriptions.Length > 0)
        {
            await link.SendAsync(new SubscribePacket(NextPacketId(), [.. subscriptions.Select(s => new TopicSubscription(s.Key, s.Value))]));
        }

        foreach (var publish in unacknowledged)
        {
            await link.SendAsync(publish);
        }
    }

    private async Task RunLinkAsync(Link link, CancellationToken stop)
    {
        using var linkStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var pinger = PingAsync(link, linkStop.Token);
        try
        {
            while (await link.ReceiveAsync(linkStop.Token) is { } packet)
            {
                switch (packet)
                {
                    case PublishPacket publish:
                        if (OnMessage is { } handler)
                        {
                            try
                            {
                                await handler(new DeviceMessage(publish.Topic, publish.Payload));
                            }
                            catch (Exception exception) when (exception is not OperationCanceledException)
                            {
                                // The application's handler failed: that must not end the connection loop for good.
                                LastError = $"the message handler failed on {publish.Topic}: {exception.Message}";
                            }
                        }

                        if (publish.QoS == MqttQualityOfService.AtLeastOnce)
                        {
                            await link.SendAsync(new PublishResponsePacket(MqttPacketType.PubAck, publish.PacketId));
                        }

                        break;
                    case PublishResponsePacket { Kind: MqttPacketType.PubAck } ack:
                        lock (_lock)
                        {
                            if (_pending.TryGetValue(ack.PacketId, out var pending))
                            {
                                pending.Acknowledged.TrySetResult(ack.ReasonCode);
                            }
                        }

                        break;
                    case DisconnectPacket disconnect:
                        LastError = $"the gateway disconnected: {disconnect.ReasonCode} {disconnect.Properties.ReasonString}";
                        return;
                }
            }
        }
        finally
        {
            await linkStop.CancelAsync();
            await pinger.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task PingAsync(Link link, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.KeepAlive / 2);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            await link.SendAsync(PingReqPacket.Instance);
        }
    }

    private sealed class Pending(PublishPacket packet)
    {
        public PublishPacket Packet { get; } = packet;

        public TaskCompletionSource<MqttReasonCode> Acknowledged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    // One TLS connection: writes serialised, reads decoded in order.
    private sealed class Link : IAsyncDisposable
    {
        private readonly SslStream _stream;
        private readonly PipeReader _reader;
        private readonly PipeWriter _writer;
        private readonly MqttEncoder _encoder = new();
        private readonly MqttDecoder _decoder = new(16 * 1024 * 1024) { Version = MqttProtocolVersion.V500 };
        private readonly SemaphoreSlim _writeLock = new(1, 1);

        private Link(SslStream stream)
        {
            _stream = stream;
            _reader = PipeReader.Create(stream);
            _writer = PipeWriter.Create(stream);
        }

        public static async Task<Link> OpenAsync(DeviceConnectionOptions options, CancellationToken cancellationToken)
        {
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
                return new Link(stream);
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

        public void Abort() => _stream.Dispose();

        public async ValueTask DisposeAsync()
        {
            await _reader.CompleteAsync();
            await _writer.CompleteAsync();
            await _stream.DisposeAsync();
            _encoder.Dispose();
            _writeLock.Dispose();
        }
    }
}
