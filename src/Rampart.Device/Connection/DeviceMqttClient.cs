using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading.Channels;
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
public sealed partial class DeviceMqttClient : IAsyncDisposable
{
    private readonly DeviceConnectionOptions _options;
    private readonly Dictionary<ushort, Pending> _pending = [];
    private readonly Dictionary<string, MqttQualityOfService> _subscriptions = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    // Messages received but not yet handled, per connection; beyond this the read loop waits (flow control).
    private const int InboxCapacity = 1024;

    // How long the end of a connection waits for the handler of its last message.
    private static readonly TimeSpan HandlerDrain = TimeSpan.FromSeconds(10);

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

        // Messages are handed to the application off this loop, one at a time and in order: a handler
        // that publishes at QoS 1 and waits for the PUBACK (an attestation answer, a command's reply)
        // needs this loop to keep reading, or it stalls the connection until PublishTimeout.
        var inbox = Channel.CreateBounded<PublishPacket>(new BoundedChannelOptions(InboxCapacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var handling = HandleAsync(link, inbox.Reader, linkStop.Token);
        try
        {
            while (await link.ReceiveAsync(linkStop.Token) is { } packet)
            {
                switch (packet)
                {
                    case PublishPacket publish:
                        await inbox.Writer.WriteAsync(publish, linkStop.Token);
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
            // Messages not handed over yet are not acknowledged: the gateway sends QoS 1 ones again on the next connection.
            inbox.Writer.TryComplete();
            await linkStop.CancelAsync();
            await pinger.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            // The next connection's handler must not run beside this one's (one message at a time, in
            // order); a handler that does not finish within the bound is left running (it was not acknowledged).
            await handling.WaitAsync(HandlerDrain, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    // A QoS 1 message is acknowledged after its handler returned (at least once: a handler that was
    // running when the link ended may see the message again after the reconnect).
    private async Task HandleAsync(Link link, ChannelReader<PublishPacket> inbox, CancellationToken stop)
    {
        try
        {
            await foreach (var publish in inbox.ReadAllAsync(stop))
            {
                if (OnMessage is { } handler)
                {
                    try
                    {
                        await handler(new DeviceMessage(publish.Topic, publish.Payload));
                    }
                    catch (Exception exception) when (!stop.IsCancellationRequested)
                    {
                        // The application's handler failed (its own timeouts included): that must not end message handling for good.
                        LastError = $"the message handler failed on {publish.Topic}: {exception.Message}";
                    }
                }

                if (publish.QoS == MqttQualityOfService.AtLeastOnce && !stop.IsCancellationRequested)
                {
                    await link.SendAsync(new PublishResponsePacket(MqttPacketType.PubAck, publish.PacketId));
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The link ended.
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The link ended while acknowledging: the gateway sends the message again on the next connection.
            LastError = $"acknowledging a message failed: {exception.Message}";
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
}
