using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Rampart.Cluster.Subjects;
using Rampart.Mqtt.Topics;

namespace Rampart.Cluster.Fabric;

/// <summary>Interest: NATS subscriptions that follow the local sessions' filters, counted per filter.</summary>
public sealed partial class NatsBrokerFabric
{
    private async Task FollowInterestAsync()
    {
        await foreach (var change in _interest.Reader.ReadAllAsync())
        {
            try
            {
                if (change.Filter is not { } filter)
                {
                    await AnnounceAsync(change);
                }
                else if (change.Added)
                {
                    if (_interests.TryGetValue(filter, out var held))
                    {
                        held.Count++;
                    }
                    else
                    {
                        _interests[filter] = await SubscribeAsync(filter);
                        Held(filter, true);
                        await AnnounceAsync(change);
                    }
                }
                else if (_interests.TryGetValue(filter, out var held) && --held.Count == 0)
                {
                    _interests.Remove(filter);
                    Held(filter, false);
                    await AnnounceAsync(change);
                    await held.DisposeAsync();
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogInterestFailed(_logger, change.Filter ?? "(all)", exception.Message);
            }
        }
    }

    // This node's shared subscriptions are served through NATS queue groups even for local members: their messages always go out.
    private void Held(string filter, bool added)
    {
        if (filter.StartsWith(MqttTopics.SharePrefix, StringComparison.Ordinal))
        {
            _remote.Apply(_options.NodeId, _instance, _options.InterestSnapshotInterval, filter, added, int.MaxValue);
        }
    }

    private async Task<Interest> SubscribeAsync(string filter)
    {
        var shared = MqttTopics.TryParseShared(filter, out _, out var inner);
        var plain = shared ? inner : filter;

        // A durable fabric's QoS 1 and 2 messages travel on PREFIX.q.m.…: the same interest covers both.
        var subjects = _js is null
            ? TopicSubjects.ForFilter(_options.Prefix, plain)
            : [.. TopicSubjects.ForFilter(_options.Prefix, plain), .. TopicSubjects.ForFilter(_options.DurablePrefix, plain)];
        var interest = new Interest();
        if (subjects.Any(subject => subject.Length > TopicSubjects.MaximumSubjectLength))
        {
            LogTooLongFilter(_logger, filter.Length);
            return interest;
        }

        var queue = shared ? TopicSubjects.QueueGroup(_options.Prefix, filter) : null;
        foreach (var subject in subjects)
        {
            var subscription = await _nats.SubscribeCoreAsync<byte[]>(subject, queue, cancellationToken: _stopping.Token);
            interest.Subscriptions.Add(subscription);
            interest.Readers.Add(Task.Run(() => ReadAsync(subscription, shared ? filter : null)));
        }

        return interest;
    }

    private async Task ReadAsync(INatsSub<byte[]> subscription, string? sharedFilter)
    {
        var decoder = RemoteMessages.NewDecoder();
        await foreach (var nats in subscription.Msgs.ReadAllAsync())
        {
            if (!RemoteMessages.TryOrigin(nats.Headers, out var origin, out var sequence))
            {
                continue;
            }

            // A plain subscription: this node delivered its own messages already, and a message that
            // matched several of its subscriptions is delivered once. A queue group: NATS chose this
            // node (its own messages included), once per group.
            if (sharedFilter is null && (origin == _options.NodeId || !_recent.FirstTime(origin, sequence)))
            {
                continue;
            }

            if (RemoteMessages.Decode(nats.Data ?? [], nats.Headers, decoder, out var problem) is not { } message)
            {
                LogUndecodable(_logger, nats.Subject, problem ?? "unknown");
                continue;
            }

            Interlocked.Increment(ref _received);
            if (sharedFilter is null)
            {
                _broker.DeliverRemote(message);
            }
            else
            {
                _broker.DeliverRemoteShared(sharedFilter, message);
            }
        }
    }

    private sealed class Interest : IAsyncDisposable
    {
        public int Count { get; set; } = 1;

        public List<INatsSub<byte[]>> Subscriptions { get; } = [];

        public List<Task> Readers { get; } = [];

        public async ValueTask DisposeAsync()
        {
            foreach (var subscription in Subscriptions)
            {
                await subscription.DisposeAsync();
            }

            await Task.WhenAll(Readers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "a subscription to a filter of {Length} characters stays local: its NATS subject would exceed the limit")]
    private static partial void LogTooLongFilter(ILogger logger, int length);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Warning, Message = "interest in {Filter} could not follow on NATS: {Reason}")]
    private static partial void LogInterestFailed(ILogger logger, string filter, string reason);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "a message on {Subject} is not a Rampart message and was ignored: {Problem}")]
    private static partial void LogUndecodable(ILogger logger, string subject, string problem);
}
