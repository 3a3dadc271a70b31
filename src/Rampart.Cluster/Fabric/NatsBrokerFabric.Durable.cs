using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Rampart.Cluster.Subjects;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Codec;

namespace Rampart.Cluster.Fabric;

/// <summary>
/// Durable QoS 1 and 2 across nodes (docs/scale-out.md, "Durable QoS 1"): with a JetStream stream,
/// a QoS 1 or 2 message a local client publishes goes to NATS only as a JetStream publish on
/// <c>PREFIX.q.m.…</c>, and the client's PUBACK/PUBREC waits for JetStream's acknowledgement. Every
/// node's interest covers those subjects too, so the live path stays core NATS (one hop, interest-based);
/// the stream is what a resumed session replays from: everything that reached its filters since its
/// state was last written — what its old node got after its last write before a kill -9, or what was
/// published while no node held the session (its node down, the device not back yet).
/// </summary>
public sealed partial class NatsBrokerFabric
{
    private const int ReplayBatch = 256;
    private readonly SemaphoreSlim _replaySlots = new(4);
    private readonly ConcurrentDictionary<Task, bool> _replays = new();
    private NatsJSContext? _js;
    private long _stored;
    private long _replayed;

    /// <summary>QoS 1 and 2 messages JetStream acknowledged as stored.</summary>
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Messages replayed into resumed sessions.</summary>
    public long Replayed => Interlocked.Read(ref _replayed);

    /// <summary>True when QoS 1 and 2 messages go through the JetStream stream.</summary>
    public bool Durable => _js is not null;

    /// <inheritdoc />
    public void OnSessionResumed(string clientId, string owner, IReadOnlyList<string> filters, DateTimeOffset writtenAt)
    {
        if (_js is null || _stopping.IsCancellationRequested)
        {
            return;
        }

        var replay = ReplayAsync(_js, clientId, owner, filters, writtenAt - _options.Durable!.ReplayMargin);
        _replays[replay] = true;
        _ = replay.ContinueWith(done => _replays.TryRemove(done, out _), TaskScheduler.Default);
    }

    /// <summary>The stream's configuration for these options (created or updated by every node at start, so all agree).</summary>
    public static StreamConfig StreamFor(ClusterFabricOptions options) => new(options.StreamName, [options.DurablePrefix + ".m.>"])
    {
        Description = "Rampart: QoS 1 and 2 MQTT messages of the cluster, replayed into resumed sessions",
        Storage = StreamConfigStorage.File,
        Retention = StreamConfigRetention.Limits,
        Discard = StreamConfigDiscard.Old,
        MaxAge = options.Durable!.MaxAge,
        MaxBytes = options.Durable.MaxBytes,
        NumReplicas = options.Durable.Replicas,

        // A publish retried after a lost acknowledgement is stored once (the message id is origin and sequence).
        DuplicateWindow = TimeSpan.FromMinutes(2),
    };

    private async Task StartDurableAsync(CancellationToken cancellationToken)
    {
        if (_options.Durable is null)
        {
            return;
        }

        var js = new NatsJSContext(_nats);
        await js.CreateOrUpdateStreamAsync(StreamFor(_options), cancellationToken);
        _js = js;
    }

    private async Task PublishDurablyAsync(NatsJSContext js, MqttMessage message)
    {
        var subject = TopicSubjects.ForTopic(_options.DurablePrefix, message.Topic);
        if (subject.Length > TopicSubjects.MaximumSubjectLength)
        {
            Interlocked.Increment(ref _dropped);
            LogTooLong(_logger, message.Topic.Length);
            return;
        }

        var sequence = Interlocked.Increment(ref _sequence);
        byte[] body;
        NATS.Client.Core.NatsHeaders headers;
        using (var encoder = new MqttEncoder())
        {
            (body, headers) = RemoteMessages.Encode(message, _options.NodeId, sequence, encoder);
        }

        // A message NATS can never carry stays on its node and is acknowledged, as on the core path
        // (refusing the PUBACK would have the client send it again forever). Headers count too: 1 KiB for them.
        if (_nats.ServerInfo is { } server && body.Length + 1024 > server.MaxPayload)
        {
            Interlocked.Increment(ref _dropped);
            LogSendFailed(_logger, $"{body.Length} bytes are above the NATS server's max_payload of {server.MaxPayload}");
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(_options.Durable!.AckTimeout);
        try
        {
            var ack = await js.PublishAsync(subject, body, opts: new NatsJSPubOpts { MsgId = _options.NodeId + "-" + sequence }, headers: headers, cancellationToken: timeout.Token);
            ack.EnsureSuccess();
        }
        catch (Exception exception)
        {
            LogNotStored(_logger, exception.Message);
            throw;
        }

        Interlocked.Increment(ref _stored);
        Interlocked.Increment(ref _forwarded);
        if (message.Retain)
        {
            Enqueue(new Outgoing(null, _retainedSubject, headers, body));
        }
    }

    private async Task ReplayAsync(NatsJSContext js, string clientId, string owner, IReadOnlyList<string> filters, DateTimeOffset since)
    {
        await _replaySlots.WaitAsync(_stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        try
        {
            // A message that matches several of the session's filters is one delivery (the broker merges its subscriptions).
            var seen = new HashSet<(string Origin, long Sequence)>();
            var delivered = 0;
            foreach (var subject in filters.SelectMany(filter => TopicSubjects.ForFilter(_options.DurablePrefix, filter)).Distinct(StringComparer.Ordinal))
            {
                if (subject.Length > TopicSubjects.MaximumSubjectLength)
                {
                    continue;
                }

                delivered += await ReplaySubjectAsync(js, clientId, owner, subject, since, seen);
            }

            Interlocked.Add(ref _replayed, delivered);
            LogReplayed(_logger, clientId, delivered, since);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping: the session is written as it is; its next node replays again.
        }
        catch (Exception exception)
        {
            LogReplayFailed(_logger, clientId, exception.Message);
        }
        finally
        {
            _replaySlots.Release();
        }
    }

    // NATS 2.9 takes one filter subject per consumer: one short-lived consumer per subject. How many
    // messages it holds is read from the consumer's own count when it is created (num_pending), and
    // the replay reads until it has them all: a fetch that comes back short or empty on a busy server
    // is not taken for the end of the stream (a "no wait" fetch was, and a resumed session then got
    // nothing). What arrives after the consumer was created reaches the session live.
    private async Task<int> ReplaySubjectAsync(NatsJSContext js, string clientId, string owner, string subject, DateTimeOffset since, HashSet<(string Origin, long Sequence)> seen)
    {
        var decoder = RemoteMessages.NewDecoder();
        var consumer = await js.CreateOrUpdateConsumerAsync(_options.StreamName, new ConsumerConfig
        {
            Name = "replay-" + Guid.NewGuid().ToString("N"),
            FilterSubject = subject,
            DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartTime,
            OptStartTime = since,
            AckPolicy = ConsumerConfigAckPolicy.None,
            MemStorage = true,
            NumReplicas = 1,

            // Removed by the server should this node die mid-replay.
            InactiveThreshold = TimeSpan.FromMinutes(1),
        }, _stopping.Token);
        var delivered = 0;
        try
        {
            var pending = (long)consumer.Info.NumPending;
            var read = 0L;
            var deadline = TimeProvider.System.GetUtcNow() + _options.Durable!.ReplayTimeout;
            while (read < pending)
            {
                if (TimeProvider.System.GetUtcNow() > deadline)
                {
                    throw new TimeoutException($"{pending - read} of {pending} messages on {subject} were not read within {_options.Durable.ReplayTimeout.TotalSeconds:0} s");
                }

                var want = (int)Math.Min(ReplayBatch, pending - read);
                await foreach (var nats in consumer.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = want, Expires = TimeSpan.FromSeconds(5) }, cancellationToken: _stopping.Token))
                {
                    read++;
                    if (!RemoteMessages.TryOrigin(nats.Headers, out var origin, out var sequence) || !seen.Add((origin, sequence)))
                    {
                        continue;
                    }

                    if (RemoteMessages.Decode(nats.Data ?? [], nats.Headers, decoder, out var problem) is not { } message)
                    {
                        LogUndecodable(_logger, nats.Subject, problem ?? "unknown");
                    }
                    else if (_broker.DeliverReplayed(clientId, owner, message))
                    {
                        delivered++;
                    }
                }
            }
        }
        finally
        {
            try
            {
                await js.DeleteConsumerAsync(_options.StreamName, consumer.Info.Name, CancellationToken.None);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The inactive threshold removes it.
            }
        }

        return delivered;
    }

    private async Task StopReplaysAsync()
    {
        await Task.WhenAll(_replays.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _replaySlots.Dispose();
    }

    [LoggerMessage(EventId = 6008, Level = LogLevel.Warning, Message = "a QoS 1/2 message was not stored in JetStream ({Reason}); its publisher is not acknowledged and sends it again")]
    private static partial void LogNotStored(ILogger logger, string reason);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Information, Message = "session {ClientId} resumed from the store: {Count} messages replayed from JetStream since {Since}")]
    private static partial void LogReplayed(ILogger logger, string clientId, int count, DateTimeOffset since);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Warning, Message = "session {ClientId}: replaying its messages from JetStream failed ({Reason}); what reached it after its last write is missing")]
    private static partial void LogReplayFailed(ILogger logger, string clientId, string reason);
}
