using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Threading.Channels;
using Rampart.Fleet.Gateway;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Adapters.Links;

/// <summary>
/// One device's session in the broker, for a front door that is not MQTT: an in-process MQTT 5.0
/// client over a pair of pipes, served by the broker's own connection loop
/// (<see cref="MqttBroker.RunConnectionAsync(IDuplexPipe, string, Func{ConnectPacket, ConnectDecision}, CancellationToken)"/>)
/// with the gateway's policy for the identity. So every message a CoAP or HTTPS device sends meets
/// exactly the checks an MQTT device's PUBLISH meets (permissions, limits, events, live control), and
/// commands reach it through a real subscription and session. Writes are serialised; one reader loop
/// answers PUBACKs and queues commands in a bounded buffer.
/// </summary>
public sealed class BrokerLink : IAsyncDisposable
{
    /// <summary>Commands held for the device before the oldest is dropped.</summary>
    public const int CommandBuffer = 64;

    // MQTT 5.0 §3.1.2.10: the link pings well inside its keep-alive, so the broker never times it out.
    private const ushort KeepAliveSeconds = 60;

    private readonly Pipe _toBroker = new();
    private readonly Pipe _fromBroker = new();
    private readonly MqttEncoder _encoder = new();
    private readonly MqttDecoder _decoder;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<ushort, TaskCompletionSource<(MqttReasonCode, string?)>> _pending = new();
    private readonly TaskCompletionSource<ConnAckPacket> _connAck = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<SubAckPacket> _subAck = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<DeviceCommand> _commands = Channel.CreateBounded<DeviceCommand>(
        new BoundedChannelOptions(CommandBuffer) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly CancellationTokenSource _stop = new();
    private readonly string _commandPrefix;
    private readonly TimeProvider _time;
    private Task _broker = Task.CompletedTask;
    private Task _reader = Task.CompletedTask;
    private ITimer? _ping;
    private int _nextPacketId;
    private long _lastUsed;
    private int _users;
    private volatile string? _closedReason;

    internal BrokerLink(GatewayClientPolicy policy, bool legacy, uint maximumPacketSize, TimeProvider time)
    {
        Policy = policy;
        Legacy = legacy;
        _time = time;
        _decoder = new MqttDecoder(maximumPacketSize) { Version = MqttProtocolVersion.V500 };
        _commandPrefix = $"devices/{policy.Identity.Id}/commands/";
        _lastUsed = time.GetTimestamp();
    }

    /// <summary>The gateway's policy ruling on this link (the identity, its permissions and limits).</summary>
    public GatewayClientPolicy Policy { get; }

    /// <summary>True for a device registered as legacy (telemetry only, no command subscription).</summary>
    public bool Legacy { get; }

    /// <summary>Null while the link is live; why it ended otherwise.</summary>
    public string? ClosedReason => _closedReason;

    /// <summary>Called once when the link ends, for whatever reason (set before it opens).</summary>
    internal Action<BrokerLink>? OnClosed { get; set; }

    /// <summary>Writes a command through to the held-commands store before the link acknowledges it (set before it opens).</summary>
    internal Func<DeviceCommand, Task<DeviceCommand>>? Keep { get; set; }

    /// <summary>Claims a command's stored row as it is handed out; false when it was taken elsewhere or expired (set before it opens).</summary>
    internal Func<DeviceCommand, Task<bool>>? Claim { get; set; }

    /// <summary>True while the broker serves the link.</summary>
    public bool IsOpen => _closedReason is null;

    /// <summary>Commands waiting for the device (one reader at a time: a long poll or an observation).</summary>
    public ChannelReader<DeviceCommand> Commands => _commands.Reader;

    /// <summary>Requests or observations using the link now: it is not idle while one runs.</summary>
    public int Users => Volatile.Read(ref _users);

    /// <summary>How long since the link was last used.</summary>
    public TimeSpan Idle => _time.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    /// <summary>
    /// Connects to <paramref name="broker"/> as the policy's device (client id = device id, as the
    /// gateway requires; clean start off so commands queued while no front door was open are
    /// delivered) and subscribes to its commands when <paramref name="subscribe"/> is set.
    /// Returns null when connected, the broker's reason otherwise.
    /// </summary>
    internal async Task<string?> OpenAsync(MqttBroker broker, uint sessionExpirySeconds, bool subscribe, CancellationToken cancellationToken)
    {
        var transport = new Transport(_toBroker.Reader, _fromBroker.Writer);
        var decision = ConnectDecision.Accept(Policy);
        _broker = Task.Run(() => broker.RunConnectionAsync(transport, Policy.Source, _ => decision, _stop.Token), CancellationToken.None);
        _reader = Task.Run(ReadAsync, CancellationToken.None);
        _ = _broker.ContinueWith(_ => Close("the broker ended the session"), TaskScheduler.Default);
        await WriteAsync(new ConnectPacket
        {
            ProtocolVersion = MqttProtocolVersion.V500,
            ClientId = Policy.ClientId,
            CleanStart = false,
            KeepAliveSeconds = KeepAliveSeconds,
            Properties = new MqttProperties { SessionExpiryInterval = sessionExpirySeconds },
        });
        var connAck = await _connAck.Task.WaitAsync(cancellationToken);
        if (connAck.ReasonCode != MqttReasonCode.Success)
        {
            return $"the broker refused the session (0x{(byte)connAck.ReasonCode:X2})";
        }

        _ping = _time.CreateTimer(_ => _ = PingAsync(), null, TimeSpan.FromSeconds(KeepAliveSeconds / 2), TimeSpan.FromSeconds(KeepAliveSeconds / 2));
        if (subscribe)
        {
            // QoS 1: a command stays queued in the session until this link has taken it.
            await WriteAsync(new SubscribePacket(NextPacketId(), [new TopicSubscription(_commandPrefix + "#", MqttQualityOfService.AtLeastOnce)]));
            var subAck = await _subAck.Task.WaitAsync(cancellationToken);
            if (subAck.ReasonCodes.Count != 1 || (byte)subAck.ReasonCodes[0] >= 0x80)
            {
                return $"the broker refused the command subscription (0x{(byte)subAck.ReasonCodes.FirstOrDefault():X2})";
            }
        }

        return _closedReason;
    }

    /// <summary>
    /// Puts commands held from the device's previous link first in line (before <see cref="OpenAsync"/>,
    /// so they come before anything the broker delivers now).
    /// </summary>
    internal void Preload(IReadOnlyList<DeviceCommand> held)
    {
        foreach (var command in held)
        {
            _commands.Writer.TryWrite(command);
        }
    }

    /// <summary>
    /// The next command to hand to the device now, its stored row claimed (commands another link took or
    /// that expired are skipped); null when the buffer is empty. Wait with <see cref="Commands"/>.
    /// </summary>
    public async Task<DeviceCommand?> TakeAsync()
    {
        while (_commands.Reader.TryRead(out var command))
        {
            if (Claim is not { } claim || await claim(command))
            {
                return command;
            }
        }

        return null;
    }

    /// <summary>A command taken from the buffer but not delivered (its notification was not acknowledged) goes back in line; false when the link has closed.</summary>
    internal bool Requeue(DeviceCommand command) => _commands.Writer.TryWrite(command);

    /// <summary>The commands still waiting in the buffer of a closed link (nobody took them).</summary>
    internal List<DeviceCommand> Uncollected()
    {
        var left = new List<DeviceCommand>();
        while (_commands.Reader.TryRead(out var command))
        {
            left.Add(command);
        }

        return left;
    }

    /// <summary>Marks a request or observation as using the link until the result is disposed.</summary>
    public IDisposable Use()
    {
        Interlocked.Increment(ref _users);
        Touch();
        return new Release(this);
    }

    /// <summary>
    /// Publishes for the device at QoS 1 and returns the broker's verdict (its PUBACK reason code):
    /// the gateway's policy decided it exactly as for an MQTT PUBLISH.
    /// </summary>
    public async Task<LinkVerdict> PublishAsync(string topic, ReadOnlyMemory<byte> payload, IReadOnlyList<UserProperty> marks, string? contentType, CancellationToken cancellationToken)
    {
        Touch();
        if (_closedReason is { } closed)
        {
            return LinkVerdict.Closed(closed);
        }

        var packetId = NextPacketId();
        var answer = new TaskCompletionSource<(MqttReasonCode, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[packetId] = answer;
        try
        {
            await WriteAsync(new PublishPacket
            {
                Topic = topic,
                Payload = payload,
                QoS = MqttQualityOfService.AtLeastOnce,
                PacketId = packetId,
                Properties = new MqttProperties { UserProperties = marks, ContentType = contentType },
            });
            using var onClose = _stop.Token.Register(() => answer.TrySetResult((MqttReasonCode.UnspecifiedError, _closedReason)));
            var (code, reason) = await answer.Task.WaitAsync(cancellationToken);
            return _closedReason is { } why && code == MqttReasonCode.UnspecifiedError ? LinkVerdict.Closed(why) : LinkVerdict.Of(code, reason, Policy.Principal, topic);
        }
        finally
        {
            _pending.TryRemove(packetId, out _);
        }
    }

    /// <summary>Ends the link with a normal DISCONNECT: the session stays in the broker for its expiry, holding new commands.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_closedReason is null)
        {
            try
            {
                await WriteAsync(new DisconnectPacket(MqttReasonCode.Success));
            }
            catch (Exception exception) when (exception is InvalidOperationException or OperationCanceledException)
            {
                // The broker's side is gone already.
            }
        }

        Close("closed by the front door");
        await _toBroker.Writer.CompleteAsync();
        await Task.WhenAny(Task.WhenAll(_broker, _reader), Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        _ping?.Dispose();
        _stop.Dispose();
        _encoder.Dispose();
    }

    private void Touch() => Interlocked.Exchange(ref _lastUsed, _time.GetTimestamp());

    private void Close(string reason)
    {
        if (_closedReason is null)
        {
            _closedReason = reason;
            _commands.Writer.TryComplete();
            OnClosed?.Invoke(this);
            _connAck.TrySetResult(new ConnAckPacket(false, MqttReasonCode.UnspecifiedError));
            _subAck.TrySetResult(new SubAckPacket(0, [MqttReasonCode.UnspecifiedError]));
            try
            {
                _stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private ushort NextPacketId()
    {
        // §2.2.1: non-zero; 16 bits wrap, and at most a few are in flight per device.
        while (true)
        {
            var id = (ushort)Interlocked.Increment(ref _nextPacketId);
            if (id != 0)
            {
                return id;
            }
        }
    }

    private async Task PingAsync()
    {
        try
        {
            await WriteAsync(PingReqPacket.Instance);
        }
        catch (Exception exception) when (exception is InvalidOperationException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task WriteAsync(MqttPacket packet)
    {
        await _writeLock.WaitAsync();
        try
        {
            _encoder.Encode(packet, MqttProtocolVersion.V500, _toBroker.Writer);
            await _toBroker.Writer.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadAsync()
    {
        var reader = _fromBroker.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                while (_decoder.TryDecode(buffer, out var packet, out var consumed, out var error) is var status && status != MqttDecodeStatus.NeedMoreData)
                {
                    if (status == MqttDecodeStatus.Malformed)
                    {
                        Close($"the broker sent a malformed packet: {error.Message}");
                        return;
                    }

                    buffer = buffer.Slice(consumed);
                    await HandleAsync(packet!);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    Close("the broker closed the session");
                    return;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private async Task HandleAsync(MqttPacket packet)
    {
        switch (packet)
        {
            case ConnAckPacket connAck:
                _connAck.TrySetResult(connAck);
                break;
            case SubAckPacket subAck:
                _subAck.TrySetResult(subAck);
                break;
            case PublishResponsePacket { Kind: MqttPacketType.PubAck } ack when _pending.TryGetValue(ack.PacketId, out var answer):
                answer.TrySetResult((ack.ReasonCode, ack.Properties.ReasonString));
                break;
            case PublishPacket publish:
                if (publish.Topic.StartsWith(_commandPrefix, StringComparison.Ordinal))
                {
                    // Written through to the store before the PUBACK below: once the broker forgets it, the database has it (issue 21).
                    var command = new DeviceCommand(publish.Topic, publish.Topic[_commandPrefix.Length..], publish.Payload.ToArray());
                    _commands.Writer.TryWrite(Keep is { } keep ? await keep(command) : command);
                }

                if (publish.QoS == MqttQualityOfService.AtLeastOnce)
                {
                    await WriteAsync(new PublishResponsePacket(MqttPacketType.PubAck, publish.PacketId));
                }
                else if (publish.QoS == MqttQualityOfService.ExactlyOnce)
                {
                    await WriteAsync(new PublishResponsePacket(MqttPacketType.PubRec, publish.PacketId));
                }

                break;
            case PublishResponsePacket { Kind: MqttPacketType.PubRel } release:
                await WriteAsync(new PublishResponsePacket(MqttPacketType.PubComp, release.PacketId));
                break;
            case DisconnectPacket disconnect:
                Close(disconnect.Properties.ReasonString ?? $"the broker disconnected the session (0x{(byte)disconnect.ReasonCode:X2})");
                break;
        }
    }

    private sealed class Transport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private sealed class Release(BrokerLink link) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                link.Touch();
                Interlocked.Decrement(ref link._users);
            }
        }
    }
}
