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
internal sealed partial class MqttConnection
{
    private const int FlushThresholdBytes = 32 * 1024;

    /// <summary>How long a publisher waits for a congested subscriber that makes no progress before reading on.</summary>
    private static readonly TimeSpan CongestionWait = TimeSpan.FromSeconds(2);

    // Subscribers a publisher's routing found congested, collected on the publisher's thread while it handles one read.
    [ThreadStatic]
    private static List<MqttConnection>? t_congested;

    // Set by routing on the publisher's thread when a message it queued for the cluster fabric found the queue past half.
    [ThreadStatic]
    private static bool t_fabricCongested;

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

    // Outgoing topic aliases (5.0 §3.3.2.3.4): topic → alias, used by the write loop only.
    private Dictionary<string, ushort>? _outgoingAliases;
    private ushort _outgoingAliasLimit;
    private string? _lastTopic;
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
    public async Task RunAsync(Func<ConnectPacket, CancellationToken, ValueTask<ConnectDecision>> authenticate, CancellationToken cancellationToken)
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

            var decision = await authenticate(connect, linked.Token);
            if (decision.Policy is null)
            {
                await RefuseAsync(connect, decision.Code, decision.Reason ?? "refused");
                return;
            }

            Policy = decision.Policy;
            await _broker.RestoreStoredSessionAsync(connect, Policy, linked.Token);
            var accepted = _broker.Accept(this, connect, decision.AssignedClientId);
            if (accepted is { } refusal)
            {
                // Refused before anything was queued: the CONNACK says why (5.0 §3.2.2.2).
                await RefuseAsync(connect, refusal.Code, refusal.Reason ?? "refused");
                return;
            }

            // The CONNACK and anything the resumed session resends are queued already; the writer sends them in order.
            writer = WriteLoopAsync();

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
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            // Only the transport's own failures end up here. An InvalidOperationException is a logic
            // bug (ours or the host policy's), not a dropped connection: it ends the connection and
            // surfaces to the caller instead of passing as "transport failed".
            Close(MqttReasonCode.UnspecifiedError, "transport failed: " + exception.GetType().Name, sendDisconnect: false);
        }
        catch (Exception)
        {
            Close(MqttReasonCode.ImplementationSpecificError, "internal error", sendDisconnect: false);
            throw;
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

            _congestionWaiter?.Dispose();
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
        WakeRoomWaiters();
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


    /// <summary>Queues a packet. A connection whose queue keeps growing (it does not read) is closed.</summary>
    public void Send(in Outbound item)
    {
        if (Interlocked.Increment(ref _queuedTotal) > _options.MaximumOutboundQueue * 4)
        {
            Close(MqttReasonCode.QuotaExceeded, "the client does not read what it is sent", sendDisconnect: false);
            return;
        }

        // A queued delivery holds its pooled message until the writer has encoded it (MqttMessage's leases);
        // one left in the queue of a closed connection is simply never recycled.
        if (item.IsDelivery)
        {
            item.Delivery.Message.AddLease();
            if (!_outbound.Writer.TryWrite(item))
            {
                item.Delivery.Message.ReleaseLease();
            }

            return;
        }

        _outbound.Writer.TryWrite(item);
    }

    /// <summary>Sets what CONNECT negotiated; called by the broker before the CONNACK goes out.</summary>
    public void Negotiated(ConnectPacket connect, ushort keepAlive)
    {
        KeepAliveSeconds = keepAlive;
        ClientMaximumPacketSize = connect.Properties.MaximumPacketSize ?? uint.MaxValue;

        // 5.0 §3.2.2.3.8: the client's Topic Alias Maximum bounds the aliases we send it (absent: none); 3.1.1 has no aliases.
        _outgoingAliasLimit = V5 ? Math.Min(connect.Properties.TopicAliasMaximum ?? (ushort)0, _options.OutgoingTopicAliasMaximum) : (ushort)0;
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
        MqttReasonCode.ServerUnavailable or MqttReasonCode.ServerBusy or MqttReasonCode.ServerShuttingDown or MqttReasonCode.ConnectionRateExceeded => (MqttReasonCode)0x03,
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

            // What this thread collected before (another connection's read, a delivery from the fabric or the
            // server's own publish) is not this read's: only congestion this read's packets cause pauses it.
            t_congested?.Clear();
            t_fabricCongested = false;
            while (true)
            {
                // PUBLISH and its acknowledgements come as frames over the read buffer: nothing allocated per message.
                var status = _decoder.TryDecodeInPlace(buffer, out var packet, out var frame, out var consumed, out var error);
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

                // The frame's payload is read (copied into a pooled message) before the buffer is advanced past it.
                var handled = packet is null ? Handle(frame) : Handle(packet);
                buffer = buffer.Slice(consumed);
                if (!handled)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    return;
                }

                // A congested subscriber, or the cluster fabric's full queue, pauses this publisher right after the packet that filled it.
                if (t_congested is { Count: > 0 } || t_fabricCongested)
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
}
