using System.IO.Pipelines;
using System.Threading.Channels;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Broker;

/// <summary>
/// One client connection over a duplex pipe: a read loop that decodes and handles packets (routing
/// a PUBLISH on the publisher's own loop), and a write loop that drains the outbound queue, encodes
/// and flushes in batches. Nothing a client sends can throw out of it: malformed input ends the
/// connection with the reason code the spec names.
/// </summary>
internal sealed class MqttConnection
{
    private const int FlushThresholdBytes = 32 * 1024;

    /// <summary>How long a publisher waits for a congested subscriber that makes no progress before reading on.</summary>
    private static readonly TimeSpan CongestionWait = TimeSpan.FromSeconds(2);

    // Subscribers a publisher's routing found congested, collected on the publisher's thread while it handles one read.
    [ThreadStatic]
    private static List<MqttConnection>? t_congested;

    private readonly MqttBroker _broker;
    private readonly IDuplexPipe _transport;
    private readonly BrokerOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<Outbound> _outbound = Channel.CreateUnbounded<Outbound>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closing = new();
    private readonly MqttDecoder _decoder;
    private int _queuedQoS0;
    private int _queuedTotal;
    private long _lastActivity;
    private int _closed;
    private MqttReasonCode _closeCode = MqttReasonCode.Success;
    private string _closeDetail = "connection closed by the client";
    private Dictionary<ushort, string>? _topicAliases;
    private string? _lastTopic;
    private TaskCompletionSource? _room;
    private long _written;
    private volatile bool _stuck;
    private bool _sessionExpiryWasZero;

    public MqttConnection(MqttBroker broker, IDuplexPipe transport, string remote, BrokerOptions options, TimeProvider time)
    {
        _broker = broker;
        _transport = transport;
        Remote = remote;
        _options = options;
        _time = time;
        _decoder = new MqttDecoder(options.MaximumPacketSize);
        _lastActivity = time.GetTimestamp();
    }

    public string Remote { get; }

    public MqttProtocolVersion Version { get; private set; } = MqttProtocolVersion.V500;

    public IMqttClientPolicy Policy { get; private set; } = null!;

    public MqttSession Session { get; private set; } = null!;

    public string ClientId => Session.ClientId;

    /// <summary>Keep-alive in force, seconds (0: none).</summary>
    public ushort KeepAliveSeconds { get; private set; }

    /// <summary>The client's Maximum Packet Size (5.0 §3.1.2.11.4).</summary>
    public uint ClientMaximumPacketSize { get; private set; } = uint.MaxValue;

    /// <summary>The will to publish if the connection ends abnormally; cleared by a normal DISCONNECT.</summary>
    public MqttMessage? Will { get; set; }

    /// <summary>Will Delay Interval in seconds (5.0 §3.1.3.2.2).</summary>
    public uint WillDelaySeconds { get; private set; }

    /// <summary>True once the broker has settled this connection's will (takeover or end).</summary>
    public bool WillSettled { get; set; }

    private bool V5 => Version == MqttProtocolVersion.V500;

    /// <summary>Runs the connection until either side ends it.</summary>
    public async Task RunAsync(Func<ConnectPacket, ConnectDecision> authenticate, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        Task? writer = null;
        try
        {
            var connect = await ReadConnectAsync(linked.Token);
            if (connect is null)
            {
                return;
            }

            var decision = authenticate(connect);
            if (decision.Policy is null)
            {
                await RefuseAsync(connect, decision.Code, decision.Reason ?? "refused");
                return;
            }

            Policy = decision.Policy;
            writer = WriteLoopAsync();
            var accepted = _broker.Accept(this, connect);
            if (accepted is { } refusal)
            {
                Close(refusal.Code, refusal.Reason ?? "refused", sendDisconnect: false);
                return;
            }

            await ReadLoopAsync(linked.Token);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Close(MqttReasonCode.ServerShuttingDown, "the server is shutting down");
        }
        catch (OperationCanceledException)
        {
            // Closed by the broker (revocation, keep-alive, takeover): the reason is already set.
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or InvalidOperationException)
        {
            Close(MqttReasonCode.UnspecifiedError, "transport failed: " + exception.GetType().Name, sendDisconnect: false);
        }
        finally
        {
            Close(_closeCode, _closeDetail, sendDisconnect: false);
            if (Session is not null)
            {
                _broker.Disconnected(this);
            }

            _outbound.Writer.TryComplete();
            if (writer is not null)
            {
                // Give the writer a moment to send what is queued (a DISCONNECT among it), then stop it.
                if (await Task.WhenAny(writer, Task.Delay(TimeSpan.FromSeconds(1), _time, CancellationToken.None)) != writer)
                {
                    await _transport.Output.CompleteAsync();
                }

                await writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await _transport.Input.CompleteAsync();
            await _transport.Output.CompleteAsync();
            if (Policy is not null)
            {
                Policy.OnClosed(_closeCode, _closeDetail);
            }

            _closing.Dispose();
        }
    }

    /// <summary>Ends the connection from outside (revocation, takeover, keep-alive): v5 clients get a DISCONNECT with the reason first.</summary>
    public void Close(MqttReasonCode code, string detail, bool sendDisconnect = true)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _closeCode = code;
        _closeDetail = detail;
        Interlocked.Exchange(ref _room, null)?.TrySetResult();
        if (sendDisconnect && V5 && Session is not null)
        {
            _outbound.Writer.TryWrite(Outbound.Control(new DisconnectPacket(code) { Properties = new MqttProperties { ReasonString = detail } }));
        }

        _outbound.Writer.TryComplete();
        try
        {
            _closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }

    /// <summary>True when the keep-alive (×1.5, §3.1.2.10) has run out without a packet from the client.</summary>
    public bool KeepAliveExpired(long now) =>
        KeepAliveSeconds > 0 && _time.GetElapsedTime(Volatile.Read(ref _lastActivity), now) > TimeSpan.FromSeconds(KeepAliveSeconds * 1.5);

    /// <summary>Queues a QoS 0 message; dropped when the outbound queue is full (the reader is too slow).</summary>
    public void SendQoS0(in Delivery delivery)
    {
        var queued = Interlocked.Increment(ref _queuedQoS0);
        if (queued > _options.MaximumOutboundQueue)
        {
            Interlocked.Decrement(ref _queuedQoS0);
            Policy.OnDropped("outbound-queue-full");
        }
        else
        {
            Send(Outbound.Publish(delivery, 0, duplicate: false));
        }

        if (queued >= HighWater)
        {
            MarkCongested();
        }
    }

    /// <summary>A QoS 1/2 message was queued for this connection's session: past half the session queue, publishers pause too.</summary>
    public void SessionBacklogGrew()
    {
        if (Session.QueuedCount >= SessionHighWater)
        {
            MarkCongested();
        }
    }

    /// <summary>Called as the backlog shrinks (a write, an acknowledgement): wakes publishers once it is down to a quarter.</summary>
    public void SignalRoomIfDrained()
    {
        if (Volatile.Read(ref _room) is not null && HasRoom)
        {
            Interlocked.Exchange(ref _room, null)?.TrySetResult();
        }
    }

    // Half full: every publisher adding to it pauses after the packet that did (TCP pushes back on it)
    // until this reader catches up.
    private void MarkCongested()
    {
        if (_stuck)
        {
            return;
        }

        var congested = t_congested ??= [];
        if (!congested.Contains(this))
        {
            congested.Add(this);
        }
    }

    private int HighWater => Math.Max(1, _options.MaximumOutboundQueue / 2);

    private int SessionHighWater => Math.Max(1, _options.MaximumQueuedMessages / 2);

    private bool HasRoom =>
        Volatile.Read(ref _queuedQoS0) <= _options.MaximumOutboundQueue / 4 && Session.QueuedCount <= _options.MaximumQueuedMessages / 4;

    /// <summary>Packets the writer has written: how a publisher tells a slow subscriber from a stuck one.</summary>
    private long Progress => Interlocked.Read(ref _written);

    /// <summary>Completes when the outbound queue is down to a quarter (at once if it already is).</summary>
    private Task RoomAsync()
    {
        while (true)
        {
            var room = Volatile.Read(ref _room);
            if (room is null || room.Task.IsCompleted)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (Interlocked.CompareExchange(ref _room, created, room) != room)
                {
                    continue;
                }

                room = created;
            }

            // Checked after publishing the signal, so a writer that drains meanwhile cannot be missed.
            if (HasRoom || _closed != 0)
            {
                Interlocked.CompareExchange(ref _room, null, room);
                room.TrySetResult();
            }

            return room.Task;
        }
    }

    // After each read, a publisher waits for the subscribers its messages congested, as long as they make
    // progress: a stuck one must not hold publishers back, so then it reads on and the excess is dropped.
    private async ValueTask WaitForCongestedAsync(CancellationToken cancellationToken)
    {
        if (t_congested is not { Count: > 0 } congested)
        {
            return;
        }

        var subscribers = congested.Where(c => c != this).ToArray();
        congested.Clear();
        foreach (var subscriber in subscribers)
        {
            var progress = subscriber.Progress;
            while (true)
            {
                try
                {
                    await subscriber.RoomAsync().WaitAsync(CongestionWait, _time, cancellationToken);
                    break;
                }
                catch (TimeoutException) when (subscriber.Progress != progress)
                {
                    progress = subscriber.Progress;
                }
                catch (TimeoutException)
                {
                    // No progress at all: stuck. Publishers stop waiting for it until it writes again.
                    subscriber._stuck = true;
                    break;
                }
            }
        }
    }

    /// <summary>Queues a packet. A connection whose queue keeps growing (it does not read) is closed.</summary>
    public void Send(in Outbound item)
    {
        if (Interlocked.Increment(ref _queuedTotal) > _options.MaximumOutboundQueue * 4)
        {
            Close(MqttReasonCode.QuotaExceeded, "the client does not read what it is sent", sendDisconnect: false);
            return;
        }

        _outbound.Writer.TryWrite(item);
    }

    /// <summary>Sets what CONNECT negotiated; called by the broker before the CONNACK goes out.</summary>
    public void Negotiated(ConnectPacket connect, ushort keepAlive)
    {
        KeepAliveSeconds = keepAlive;
        ClientMaximumPacketSize = connect.Properties.MaximumPacketSize ?? uint.MaxValue;
        _sessionExpiryWasZero = (connect.Properties.SessionExpiryInterval ?? 0) == 0;
        WillDelaySeconds = connect.Will?.Properties.WillDelayInterval ?? 0;
    }

    public void Attach(MqttSession session) => Session = session;

    private async Task<ConnectPacket?> ReadConnectAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ConnectTimeout);
        var input = _transport.Input;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Close(MqttReasonCode.MaximumConnectTime, "no CONNECT within " + _options.ConnectTimeout.TotalSeconds + " s", sendDisconnect: false);
                return null;
            }

            var buffer = result.Buffer;
            var status = _decoder.TryDecode(buffer, out var packet, out var consumed, out var error);
            if (status == MqttDecodeStatus.Complete)
            {
                input.AdvanceTo(consumed);
                var connect = (ConnectPacket)packet!;
                Version = connect.ProtocolVersion;
                return connect;
            }

            if (status == MqttDecodeStatus.Malformed)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                if (error.ReasonCode == MqttReasonCode.UnsupportedProtocolVersion)
                {
                    // §3.1.2.2 (3.1.1): unacceptable protocol level is CONNACK 0x01, in the 3.1.1 format every client can read.
                    await WriteDirectAsync(new ConnAckPacket(false, (MqttReasonCode)0x01), MqttProtocolVersion.V311);
                }

                Close(error.ReasonCode, "malformed CONNECT: " + error.Message, sendDisconnect: false);
                return null;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                Close(MqttReasonCode.UnspecifiedError, "the client closed before CONNECT", sendDisconnect: false);
                return null;
            }
        }
    }

    private async Task RefuseAsync(ConnectPacket connect, MqttReasonCode code, string reason)
    {
        Version = connect.ProtocolVersion;
        Close(code, reason, sendDisconnect: false);
        var connAck = V5
            ? new ConnAckPacket(false, code) { Properties = new MqttProperties { ReasonString = reason } }
            : new ConnAckPacket(false, V3ConnectReturnCode(code));
        await WriteDirectAsync(connAck, Version);
    }

    // 3.1.1 §3.2.2.3: the six CONNACK return codes.
    private static MqttReasonCode V3ConnectReturnCode(MqttReasonCode code) => code switch
    {
        MqttReasonCode.UnsupportedProtocolVersion => (MqttReasonCode)0x01,
        MqttReasonCode.ClientIdentifierNotValid => (MqttReasonCode)0x02,
        MqttReasonCode.ServerUnavailable or MqttReasonCode.ServerBusy or MqttReasonCode.ServerShuttingDown => (MqttReasonCode)0x03,
        MqttReasonCode.BadUserNameOrPassword => (MqttReasonCode)0x04,
        _ => (MqttReasonCode)0x05,
    };

    private async Task WriteDirectAsync(MqttPacket packet, MqttProtocolVersion version)
    {
        try
        {
            using var encoder = new MqttEncoder();
            encoder.Encode(packet, version, _transport.Output);
            await _transport.Output.FlushAsync();
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The client is gone; nothing more to tell it.
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var input = _transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            Volatile.Write(ref _lastActivity, _time.GetTimestamp());
            var paused = false;
            while (true)
            {
                var status = _decoder.TryDecode(buffer, out var packet, out var consumed, out var error);
                if (status == MqttDecodeStatus.NeedMoreData)
                {
                    break;
                }

                if (status == MqttDecodeStatus.Malformed)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    Close(error.ReasonCode, error.Message);
                    return;
                }

                buffer = buffer.Slice(consumed);
                if (!Handle(packet!))
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    return;
                }

                // A congested subscriber pauses this publisher right after the packet that filled it.
                if (t_congested is { Count: > 0 })
                {
                    paused = true;
                    break;
                }
            }

            // Paused: the rest stays unexamined, so the next read returns it at once.
            input.AdvanceTo(buffer.Start, paused ? buffer.Start : buffer.End);
            await WaitForCongestedAsync(cancellationToken);
            if (result.IsCompleted && !paused)
            {
                if (_closed == 0)
                {
                    Close(MqttReasonCode.UnspecifiedError, "the client closed the connection without DISCONNECT", sendDisconnect: false);
                }

                return;
            }
        }
    }

    // Returns false when the connection must end.
    private bool Handle(MqttPacket packet)
    {
        switch (packet)
        {
            case PublishPacket publish:
                return HandlePublish(publish);
            case PublishResponsePacket response:
                return HandleResponse(response);
            case SubscribePacket subscribe:
                _broker.Subscribe(this, subscribe);
                return _closed == 0;
            case UnsubscribePacket unsubscribe:
                _broker.Unsubscribe(this, unsubscribe);
                return true;
            case PingReqPacket:
                Send(Outbound.Control(PingRespPacket.Instance));
                return true;
            case DisconnectPacket disconnect:
                return HandleDisconnect(disconnect);
            default:
                // A server-to-client packet, or AUTH without an authentication method (5.0 §4.12).
                Close(MqttReasonCode.ProtocolError, $"{packet.Type} is not expected from a client");
                return false;
        }
    }

    private bool HandlePublish(PublishPacket publish)
    {
        var topic = publish.Topic;
        if (V5 && publish.Properties.TopicAlias is { } alias)
        {
            // 5.0 §3.3.2.3.4: alias 0 or above the maximum we announced is a protocol error.
            if (alias == 0 || alias > _options.TopicAliasMaximum)
            {
                Close(MqttReasonCode.TopicAliasInvalid, $"topic alias {alias} is outside 1..{_options.TopicAliasMaximum}");
                return false;
            }

            _topicAliases ??= [];
            if (topic.Length > 0)
            {
                _topicAliases[alias] = topic;
            }
            else if (!_topicAliases.TryGetValue(alias, out topic))
            {
                Close(MqttReasonCode.ProtocolError, $"topic alias {alias} was never set");
                return false;
            }
        }
        else if (topic.Length == 0)
        {
            Close(MqttReasonCode.ProtocolError, "PUBLISH without a topic name or alias");
            return false;
        }

        // Repeated publishes to one topic share one string: telemetry mostly goes to the same topic.
        if (_lastTopic is not null && string.Equals(_lastTopic, topic, StringComparison.Ordinal))
        {
            topic = _lastTopic;
        }
        else
        {
            _lastTopic = topic;
        }

        var admission = TopicWithinLimits(topic)
            ? Policy.AuthorizePublish(topic, publish.Payload.Length)
            : Admission.Deny(MqttReasonCode.TopicNameInvalid, "the topic name exceeds the length or level limit");
        if (admission.Verdict == Verdict.Disconnect)
        {
            Close(admission.Code, admission.Reason ?? "publish refused");
            return false;
        }

        if (publish.QoS == MqttQualityOfService.ExactlyOnce)
        {
            var awaiting = Session.AwaitingRelease;
            lock (Session)
            {
                if (!awaiting.Contains(publish.PacketId))
                {
                    if (awaiting.Count >= _options.ReceiveMaximum)
                    {
                        Close(MqttReasonCode.ReceiveMaximumExceeded, $"more than {_options.ReceiveMaximum} QoS 2 publishes unreleased");
                        return false;
                    }

                    if (admission.Verdict == Verdict.Allow)
                    {
                        Route(publish, topic);
                    }

                    // §4.3.3: the id is held until PUBREL even when refused, so a resend is not routed twice.
                    awaiting.Add(publish.PacketId);
                }
            }

            Send(Outbound.Control(new PublishResponsePacket(MqttPacketType.PubRec, publish.PacketId, V5 ? admission.Code : MqttReasonCode.Success)));
            return true;
        }

        if (admission.Verdict == Verdict.Allow)
        {
            Route(publish, topic);
        }

        if (publish.QoS == MqttQualityOfService.AtLeastOnce)
        {
            // 3.1.1 has no negative PUBACK: a refused message is acknowledged and dropped (§3.3.5).
            Send(Outbound.Control(new PublishResponsePacket(MqttPacketType.PubAck, publish.PacketId, V5 ? admission.Code : MqttReasonCode.Success)));
        }

        return true;
    }

    private void Route(PublishPacket publish, string topic)
    {
        var properties = publish.Properties;
        DateTimeOffset? expiresAt = null;
        if (V5 && !ReferenceEquals(properties, MqttProperties.Empty))
        {
            if (properties.MessageExpiryInterval is { } expiry)
            {
                expiresAt = _time.GetUtcNow().AddSeconds(expiry);
            }

            // 5.0 §3.3.2.3: the topic alias is per connection and is not forwarded; expiry is re-computed per delivery.
            properties = properties with { TopicAlias = null, MessageExpiryInterval = null, SubscriptionIdentifiers = [] };
            if (properties.Equals(MqttProperties.Empty))
            {
                properties = MqttProperties.Empty;
            }
        }
        else if (!V5)
        {
            properties = MqttProperties.Empty;
        }

        _broker.Route(new MqttMessage(topic, publish.Payload, publish.QoS, publish.Retain, properties, ClientId, expiresAt), Session);
    }

    private bool HandleResponse(PublishResponsePacket response)
    {
        var now = _time.GetUtcNow();
        switch (response.Kind)
        {
            case MqttPacketType.PubAck or MqttPacketType.PubComp:
                // An unknown id is tolerated (it may predate a takeover); the spec asks nothing more.
                Session.Complete(response.PacketId, response.Kind, now);
                SignalRoomIfDrained();
                return true;
            case MqttPacketType.PubRec:
                var known = Session.Received(response.PacketId, (byte)response.ReasonCode >= 0x80, now);
                if ((byte)response.ReasonCode < 0x80)
                {
                    Send(Outbound.Control(new PublishResponsePacket(
                        MqttPacketType.PubRel, response.PacketId, known || !V5 ? MqttReasonCode.Success : MqttReasonCode.PacketIdentifierNotFound)));
                }

                return true;
            default:
                bool released;
                lock (Session)
                {
                    released = Session.AwaitingRelease.Remove(response.PacketId);
                }

                Send(Outbound.Control(new PublishResponsePacket(
                    MqttPacketType.PubComp, response.PacketId, released || !V5 ? MqttReasonCode.Success : MqttReasonCode.PacketIdentifierNotFound)));
                return true;
        }
    }

    private bool HandleDisconnect(DisconnectPacket disconnect)
    {
        if (V5 && disconnect.Properties.SessionExpiryInterval is { } expiry)
        {
            // 5.0 §3.14.2.2.2: a session that was to end at disconnect cannot be extended now.
            if (_sessionExpiryWasZero && expiry != 0)
            {
                Close(MqttReasonCode.ProtocolError, "session expiry set at DISCONNECT after CONNECT asked for none");
                return false;
            }

            Session.ExpirySeconds = _broker.GrantedExpiry(expiry);
        }

        // 5.0 §3.14.4: a normal DISCONNECT discards the will; 0x04 asks for it to be published.
        if (disconnect.ReasonCode != MqttReasonCode.DisconnectWithWillMessage)
        {
            Will = null;
        }

        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _closeCode = disconnect.ReasonCode;
            _closeDetail = "the client disconnected" + (disconnect.ReasonCode == MqttReasonCode.Success ? string.Empty : $" (0x{(byte)disconnect.ReasonCode:X2})");
        }

        return false;
    }

    public bool TopicWithinLimits(string topic)
    {
        if (topic.Length > _options.MaximumTopicLength)
        {
            return false;
        }

        var levels = 1;
        foreach (var c in topic)
        {
            if (c == '/' && ++levels > _options.MaximumTopicLevels)
            {
                return false;
            }
        }

        return true;
    }

    private async Task WriteLoopAsync()
    {
        await Task.Yield();
        var output = _transport.Output;
        var reader = _outbound.Reader;
        using var encoder = new MqttEncoder();
        try
        {
            while (await reader.WaitToReadAsync())
            {
                var unflushed = 0;
                while (reader.TryRead(out var item))
                {
                    Interlocked.Decrement(ref _queuedTotal);
                    Interlocked.Increment(ref _written);
                    if (_stuck)
                    {
                        _stuck = false;
                    }
                    unflushed += Write(encoder, item, output);
                    if (unflushed >= FlushThresholdBytes)
                    {
                        unflushed = 0;
                        if ((await output.FlushAsync()).IsCompleted)
                        {
                            return;
                        }
                    }
                }

                if ((await output.FlushAsync()).IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            Close(MqttReasonCode.UnspecifiedError, "transport failed while writing", sendDisconnect: false);
        }
    }

    private int Write(MqttEncoder encoder, in Outbound item, PipeWriter output)
    {
        if (item.Packet is { } packet)
        {
            return encoder.Encode(packet, Version, output);
        }

        var delivery = item.Delivery;
        var message = delivery.Message;
        if (delivery.QoS == MqttQualityOfService.AtMostOnce)
        {
            Interlocked.Decrement(ref _queuedQoS0);
            SignalRoomIfDrained();
        }

        var properties = MqttProperties.Empty;
        if (V5 && (message.ExpiresAt is not null || delivery.SubscriptionIds.Count > 0))
        {
            var now = _time.GetUtcNow();
            if (message.IsExpired(now) && delivery.QoS == MqttQualityOfService.AtMostOnce)
            {
                Policy.OnDropped("expired");
                return 0;
            }

            // 5.0 §3.3.2.3.3: the expiry sent is what remains of it.
            var remaining = message.ExpiresAt is { } at ? (uint?)Math.Max(0, Math.Ceiling((at - now).TotalSeconds)) : null;
            properties = message.Properties with { MessageExpiryInterval = remaining, SubscriptionIdentifiers = delivery.SubscriptionIds };
        }
        else if (V5)
        {
            properties = message.Properties;
        }

        var written = encoder.EncodePublish(
            message.Topic, message.Payload.Span, delivery.QoS, delivery.Retain, item.Duplicate, item.PacketId, properties, Version, output, ClientMaximumPacketSize);
        if (written == 0)
        {
            Policy.OnDropped("larger-than-client-maximum-packet-size");
            if (delivery.QoS != MqttQualityOfService.AtMostOnce)
            {
                // 5.0 §3.1.2.11.4: discarded as if sent and acknowledged.
                Session.Discard(item.PacketId, _time.GetUtcNow());
            }

            return 0;
        }

        Policy.OnDelivered(message.Payload.Length);
        return written;
    }
}
