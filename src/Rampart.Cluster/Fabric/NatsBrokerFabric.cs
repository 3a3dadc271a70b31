using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Rampart.Cluster.Subjects;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Protocol;

namespace Rampart.Cluster.Fabric;

/// <summary>
/// Joins a node's broker to the other nodes over core NATS (docs/scale-out.md, "Cluster fabric
/// (NATS)"). Interest-based: the node subscribes on NATS only to the subjects of filters some local
/// session holds (counted per filter, unsubscribed when the last one goes), publishes every local
/// message to its topic's subject with its node id, and ignores its own echo. Shared subscriptions
/// are NATS queue groups, so each message reaches one member across the cluster. A session opened
/// here is announced, so the node that held it before closes it (5.0 §3.1.4).
/// Permissions stay where they are: a local publisher was admitted by its policy before the message
/// got here, and a remote message only reaches subscriptions the subscriber's policy admitted.
/// </summary>
public sealed partial class NatsBrokerFabric : IBrokerFabric, IAsyncDisposable
{
    private readonly INatsConnection _nats;
    private readonly MqttBroker _broker;
    private readonly ClusterFabricOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<Outgoing> _outbound;
    private readonly Channel<InterestChange> _interest = Channel.CreateUnbounded<InterestChange>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, Interest> _interests = new(StringComparer.Ordinal);
    private readonly RecentMessages _recent = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _sessionSubject;
    private readonly string _retainedSubject;
    private readonly string _interestSubject;
    private readonly RemoteInterest _remote;
    private readonly List<Task> _loops = [];
    private INatsSub<byte[]>? _sessions;
    private INatsSub<byte[]>? _retainedCopies;
    private long _sequence;
    private long _forwarded;
    private long _received;
    private long _dropped;

    public NatsBrokerFabric(INatsConnection nats, MqttBroker broker, ClusterFabricOptions options, ILogger logger, TimeProvider? time = null)
    {
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _nats = nats;
        _broker = broker;
        _options = options;
        _logger = logger;
        _sessionSubject = options.Prefix + ".ctl.session";
        _retainedSubject = options.Prefix + ".ctl.retained";
        _interestSubject = options.Prefix + ".ctl.interest";
        _outbound = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(options.OutboundCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        }, _ =>
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
        });
        _highWater = Math.Max(1, options.OutboundCapacity / 2);
        _lowWater = options.OutboundCapacity / 4;
        _time = time ?? TimeProvider.System;

        // Sequence numbers grow across restarts of a node with the same id (microseconds since the epoch to start
        // with): the others' duplicate window and JetStream's Msg-Id deduplication never take a new message for an old one.
        _sequence = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        _remote = new RemoteInterest(_time, options.InterestWarmUp);
    }

    /// <summary>Local messages handed to NATS.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Messages from other nodes delivered here.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Local messages that did not cross: outbound queue full, subject too long, or NATS refused them.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Subscribes to session announcements, attaches to the broker (before its first connection) and starts forwarding.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _sessions = await _nats.SubscribeCoreAsync<byte[]>(_sessionSubject, cancellationToken: cancellationToken);
        _loops.Add(Task.Run(() => ReadSessionsAsync(_sessions)));
        _retainedCopies = await _nats.SubscribeCoreAsync<byte[]>(_retainedSubject, cancellationToken: cancellationToken);
        _loops.Add(Task.Run(() => ReadRetainedAsync(_retainedCopies)));
        await StartDurableAsync(cancellationToken);
        await StartAnnouncingAsync(cancellationToken);
        _broker.AttachFabric(this);
        _loops.Add(Task.Run(SendAsync));
        _loops.Add(Task.Run(FollowInterestAsync));
    }

    /// <inheritdoc />
    public Task? OnPublished(MqttMessage message)
    {
        if (_js is { } js && message.QoS != MqttQualityOfService.AtMostOnce)
        {
            return PublishDurablyAsync(js, message);
        }

        Enqueue(new Outgoing(message, null, null));
        return null;
    }

    /// <inheritdoc />
    public void OnInterestChanged(string filter, bool added) => _interest.Writer.TryWrite(new InterestChange(filter, added, Sync: false));

    /// <inheritdoc />
    public void OnSessionOpened(string clientId, string principal, DateTimeOffset openedAt)
    {
        var headers = new NatsHeaders
        {
            ["Client-Id"] = Uri.EscapeDataString(clientId),
            ["Principal"] = Uri.EscapeDataString(principal),
            // UTC ticks (100 ns), not milliseconds: two connects within one millisecond must still be ordered.
            ["Opened"] = openedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        Enqueue(new Outgoing(null, _sessionSubject, headers));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await AnnounceLeavingAsync();
        await _stopping.CancelAsync();
        _outbound.Writer.TryComplete();
        _interest.Writer.TryComplete();
        if (_sessions is not null)
        {
            await _sessions.DisposeAsync();
        }

        if (_retainedCopies is not null)
        {
            await _retainedCopies.DisposeAsync();
        }

        if (_announcements is not null)
        {
            await _announcements.DisposeAsync();
        }

        foreach (var interest in _interests.Values)
        {
            await interest.DisposeAsync();
        }

        await Task.WhenAll(_loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await StopReplaysAsync();
        _stopping.Dispose();
    }

    private async Task SendAsync()
    {
        using var encoder = new MqttEncoder();

        // One body buffer for the loop: PublishAsync has copied it into the connection's buffer when it returns.
        var body = new System.Buffers.ArrayBufferWriter<byte>(1024);
        var routes = new Dictionary<string, Route>(StringComparer.Ordinal);
        await foreach (var outgoing in _outbound.Reader.ReadAllAsync())
        {
            Dequeued();
            try
            {
                if (outgoing.Message is { } message)
                {
                    var (subject, wanted) = RouteOf(routes, message.Topic);
                    if (subject.Length > TopicSubjects.MaximumSubjectLength)
                    {
                        Interlocked.Increment(ref _dropped);
                        LogTooLong(_logger, message.Topic.Length);
                        continue;
                    }

                    // No node holds a filter for it (and the interest is trusted): it stays here, unless retained.
                    wanted = wanted || !_options.AnnouncedInterest || _remote.Warming;
                    if (!wanted && !message.Retain)
                    {
                        Interlocked.Increment(ref _unwanted);
                        continue;
                    }

                    body.ResetWrittenCount();
                    var headers = RemoteMessages.Encode(message, _options.NodeId, Interlocked.Increment(ref _sequence), encoder, body);
                    if (wanted)
                    {
                        await _nats.PublishAsync(subject, body.WrittenMemory, headers, cancellationToken: _stopping.Token);
                    }

                    if (message.Retain)
                    {
                        // Every node keeps the cluster's retained messages, interested now or not.
                        await _nats.PublishAsync(_retainedSubject, body.WrittenMemory, headers, cancellationToken: _stopping.Token);
                    }

                    Interlocked.Increment(ref _forwarded);
                }
                else if (outgoing.Body is { } copy)
                {
                    // The retained copy of a durable message: origin and sequence are the message's own.
                    await _nats.PublishAsync(outgoing.Subject!, copy, outgoing.Headers, cancellationToken: _stopping.Token);
                }
                else
                {
                    outgoing.Headers![RemoteMessages.Origin] = _options.NodeId;
                    outgoing.Headers[RemoteMessages.Sequence] = Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await _nats.PublishAsync(outgoing.Subject!, Array.Empty<byte>(), outgoing.Headers, cancellationToken: _stopping.Token);
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Core NATS is at-most-once: what cannot be sent now (disconnected, above the server's
                // max_payload) is counted and dropped, never retried out of order; the loop goes on.
                Interlocked.Increment(ref _dropped);
                LogSendFailed(_logger, exception.Message);
            }
        }
    }

    private async Task ReadSessionsAsync(INatsSub<byte[]> subscription)
    {
        await foreach (var message in subscription.Msgs.ReadAllAsync())
        {
            if (!RemoteMessages.TryOrigin(message.Headers, out var origin, out _) || origin == _options.NodeId
                || !message.Headers!.TryGetValue("Client-Id", out var clientId) || !message.Headers.TryGetValue("Principal", out var principal))
            {
                continue;
            }

            // A node without the header (an older version) announces as before: the takeover applies.
            var openedAt = message.Headers.TryGetValue("Opened", out var opened)
                && long.TryParse(opened.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTimeOffset.MaxValue.UtcTicks
                ? new DateTimeOffset(ticks, TimeSpan.Zero)
                : DateTimeOffset.MaxValue;
            var id = Uri.UnescapeDataString(clientId.ToString());
            if (_broker.CloseTakenOver(id, Uri.UnescapeDataString(principal.ToString()), openedAt))
            {
                LogTakenOver(_logger, id, origin);
            }
        }
    }

    private async Task ReadRetainedAsync(INatsSub<byte[]> subscription)
    {
        var decoder = RemoteMessages.NewDecoder();
        await foreach (var nats in subscription.Msgs.ReadAllAsync())
        {
            if (!RemoteMessages.TryOrigin(nats.Headers, out var origin, out _) || origin == _options.NodeId)
            {
                continue;
            }

            if (RemoteMessages.Decode(nats.Data ?? [], nats.Headers, decoder, out var problem) is not { } message)
            {
                LogUndecodable(_logger, nats.Subject, problem ?? "unknown");
            }
            else if (!_broker.StoreRemoteRetained(message))
            {
                LogRetainedFull(_logger, origin);
            }
        }
    }

    private sealed record Outgoing(MqttMessage? Message, string? Subject, NatsHeaders? Headers, byte[]? Body = null);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "a message on a topic of {Length} characters stays on this node: its NATS subject would exceed the limit")]
    private static partial void LogTooLong(ILogger logger, int length);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "a message could not be handed to NATS and was dropped: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning, Message = "a retained message from node {Node} was not kept: this node's retained store is full")]
    private static partial void LogRetainedFull(ILogger logger, string node);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "session {ClientId} was taken over on node {Node}; closed here")]
    private static partial void LogTakenOver(ILogger logger, string clientId, string node);
}
