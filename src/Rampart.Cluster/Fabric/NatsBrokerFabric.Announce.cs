using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Rampart.Mqtt.Topics;

namespace Rampart.Cluster.Fabric;

/// <summary>
/// Interest announcements on <c>PREFIX.ctl.interest</c> (see <see cref="RemoteInterest"/>): each node
/// says which filters its sessions hold — one filter as it comes or goes (after its NATS subscription
/// exists, so a node that starts forwarding on it finds the subscription in place), its whole set in
/// snapshots of at most <see cref="SnapshotChunk"/> filters every <c>InterestSnapshotInterval</c> and
/// when another node asks (start, reconnect), and that it leaves when it stops. All of it comes from the
/// one loop that follows the local interest, so what a node announces is in the order its subscriptions changed.
/// </summary>
public sealed partial class NatsBrokerFabric
{
    /// <summary>Filters per snapshot message (tens of thousands of device filters stay far below NATS's 1 MiB max_payload).</summary>
    internal const int SnapshotChunk = 1_000;

    /// <summary>Filters a node may announce; more are ignored (and logged), so one node cannot make the others hold unbounded state.</summary>
    internal const int MaximumAnnounced = 1_000_000;

    private static readonly JsonSerializerOptions AnnouncementJson = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private readonly Dictionary<string, (string Instance, long Epoch, HashSet<string> Filters)> _snapshotsArriving = new(StringComparer.Ordinal);
    // This start of the node: a node restarted with the same id announces under a new instance, so a late
    // leave or unfinished snapshot of the old process is never taken for the new one's.
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private INatsSub<byte[]>? _announcements;
    private long _snapshotEpoch;
    private long _unwanted;

    /// <summary>Local messages no other node wanted, so not sent to NATS.</summary>
    public long Unwanted => Interlocked.Read(ref _unwanted);

    /// <summary>True during the warm-up after start or a reconnect, while every local message is forwarded.</summary>
    public bool InterestWarming => _remote.Warming;

    /// <summary>Distinct filters the other nodes announced (and this node's shared ones).</summary>
    public int RemoteFilters => _remote.Count;

    private async Task StartAnnouncingAsync(CancellationToken cancellationToken)
    {
        _remote.Untrusted();
        // Announcements are few but come in bursts (a reconnect storm of first subscriptions): a larger buffer that
        // waits when full, so none is dropped by the client (NATS.Net drops past 1,000 by default).
        _announcements = await _nats.SubscribeCoreAsync<byte[]>(_interestSubject,
            opts: new NatsSubOpts { ChannelOpts = new NatsSubChannelOpts { Capacity = 65_536, FullMode = System.Threading.Channels.BoundedChannelFullMode.Wait } },
            cancellationToken: cancellationToken);
        _loops.Add(Task.Run(() => ReadAnnouncementsAsync(_announcements)));
        _loops.Add(Task.Run(SnapshotTimerAsync));
        _nats.ConnectionOpened += (_, _) =>
        {
            // Announcements made while cut off were lost both ways: trust nothing until every node answered again.
            _remote.Untrusted();
            _interest.Writer.TryWrite(InterestChange.SnapshotAndSync);
            return ValueTask.CompletedTask;
        };
        _interest.Writer.TryWrite(InterestChange.SnapshotAndSync);
    }

    // Runs on the interest loop: the subscriptions in _interests are what this node holds.
    private async Task AnnounceAsync(InterestChange change)
    {
        if (change.Filter is { } filter)
        {
            await PublishAnnouncementAsync(Announce(change.Added ? "add" : "remove", [filter], null, null));
            return;
        }

        var filters = _interests.Keys.ToArray();
        var epoch = ++_snapshotEpoch;
        for (var start = 0; start == 0 || start < filters.Length; start += SnapshotChunk)
        {
            var chunk = filters.AsSpan(start, Math.Min(SnapshotChunk, filters.Length - start)).ToArray();
            await PublishAnnouncementAsync(Announce("snapshot", chunk, epoch, start + SnapshotChunk >= filters.Length));
        }

        if (change.Sync)
        {
            await PublishAnnouncementAsync(Announce("sync", [], null, null));
        }
    }

    private async Task PublishAnnouncementAsync(Announcement announcement)
    {
        var headers = new NatsHeaders { [RemoteMessages.Origin] = _options.NodeId, [RemoteMessages.Sequence] = Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        await _nats.PublishAsync(_interestSubject, JsonSerializer.SerializeToUtf8Bytes(announcement, AnnouncementJson), headers, cancellationToken: _stopping.Token);
    }

    private async Task SnapshotTimerAsync()
    {
        using var timer = new PeriodicTimer(_options.InterestSnapshotInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                _remote.Expire(_options.NodeId);
                _interest.Writer.TryWrite(InterestChange.Snapshot);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task ReadAnnouncementsAsync(INatsSub<byte[]> subscription)
    {
        await foreach (var nats in subscription.Msgs.ReadAllAsync())
        {
            // One bad announcement is logged and skipped: the reader never stops (the others would expire everything).
            try
            {
                Apply(JsonSerializer.Deserialize<Announcement>(nats.Data ?? [], AnnouncementJson));
            }
            catch (Exception exception) when (exception is JsonException or ArgumentException or InvalidOperationException)
            {
                LogBadAnnouncement(_logger, exception.Message);
            }
        }
    }

    private void Apply(Announcement? announcement)
    {
        if (announcement is not { Node: { Length: > 0 } node, Op: { } op } || node == _options.NodeId)
        {
            return;
        }

        var instance = announcement.Instance ?? string.Empty;
        var interval = TimeSpan.FromSeconds(Math.Clamp(announcement.Interval ?? (int)_options.InterestSnapshotInterval.TotalSeconds, 1, 600));
        var filters = (announcement.Filters ?? []).Where(filter => filter is not null && MqttTopics.IsValidTopicFilter(filter)).ToArray();
        switch (op)
        {
            case "add" or "remove":
                foreach (var filter in filters)
                {
                    if (!_remote.Apply(node, instance, interval, filter, op == "add", MaximumAnnounced))
                    {
                        LogTooManyAnnounced(_logger, node, MaximumAnnounced);
                        break;
                    }
                }

                break;
            case "snapshot":
                Collect(node, instance, interval, announcement.Epoch ?? 0, filters, announcement.Last == true);
                break;
            case "sync":
                _interest.Writer.TryWrite(InterestChange.Snapshot);
                break;
            case "leave":
                _remote.Forget(node, instance);
                break;
        }
    }

    // Snapshot chunks of one instance and epoch add up; the last replaces the node's set. A new epoch or instance starts over.
    private void Collect(string node, string instance, TimeSpan interval, long epoch, string[] filters, bool last)
    {
        if (!_snapshotsArriving.TryGetValue(node, out var arriving) || arriving.Epoch != epoch || arriving.Instance != instance)
        {
            arriving = (instance, epoch, new HashSet<string>(StringComparer.Ordinal));
            _snapshotsArriving[node] = arriving;
        }

        foreach (var filter in filters)
        {
            if (arriving.Filters.Count >= MaximumAnnounced)
            {
                LogTooManyAnnounced(_logger, node, MaximumAnnounced);
                break;
            }

            arriving.Filters.Add(filter);
        }

        if (last)
        {
            _snapshotsArriving.Remove(node);
            _remote.Replace(node, instance, interval, arriving.Filters);
        }
    }

    // Best effort when stopping: the others stop forwarding here at once instead of after three intervals.
    private async Task AnnounceLeavingAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var headers = new NatsHeaders { [RemoteMessages.Origin] = _options.NodeId, [RemoteMessages.Sequence] = "0" };
            await _nats.PublishAsync(_interestSubject, JsonSerializer.SerializeToUtf8Bytes(Announce("leave", null, null, null), AnnouncementJson), headers,
                cancellationToken: timeout.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or NatsException or ObjectDisposedException)
        {
            // NATS gone: the others expire this node's filters.
        }
    }

    // Whether a local message on this topic goes to NATS, and its subject: both kept per topic (up to 4,096 topics
    // of at most 256 characters, then the cache starts over) and recomputed when the interest changed.
    private (string Subject, bool Wanted) RouteOf(Dictionary<string, Route> routes, string topic)
    {
        var generation = _remote.Generation;
        if (routes.TryGetValue(topic, out var route) && route.Generation == generation)
        {
            return (route.Subject, route.Wanted);
        }

        var subject = route?.Subject ?? Subjects.TopicSubjects.ForTopic(_options.Prefix, topic);
        var wanted = _remote.Wants(topic);
        if (topic.Length <= 256)
        {
            if (routes.Count >= 4_096)
            {
                routes.Clear();
            }

            routes[topic] = new Route(subject, generation, wanted);
        }

        return (subject, wanted);
    }

    private sealed record Route(string Subject, long Generation, bool Wanted);

    private Announcement Announce(string op, string[]? filters, long? epoch, bool? last) =>
        new(_options.NodeId, _instance, op, filters, epoch, last, (int)_options.InterestSnapshotInterval.TotalSeconds);

    /// <summary>One announcement; <c>Interval</c> is the sender's snapshot interval in seconds (others forget it after three).</summary>
    private sealed record Announcement(string Node, string? Instance, string Op, string[]? Filters, long? Epoch, bool? Last, int? Interval);

    /// <summary>A change of local interest for the interest loop, or a request to announce the whole set (and ask the others for theirs).</summary>
    private readonly record struct InterestChange(string? Filter, bool Added, bool Sync)
    {
        public static InterestChange Snapshot => new(null, false, false);

        public static InterestChange SnapshotAndSync => new(null, false, true);
    }

    [LoggerMessage(EventId = 6010, Level = LogLevel.Warning, Message = "an interest announcement on NATS is not valid JSON and is ignored: {Reason}")]
    private static partial void LogBadAnnouncement(ILogger logger, string reason);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Warning, Message = "node {Node} announced more than {Maximum} filters; the rest are ignored")]
    private static partial void LogTooManyAnnounced(ILogger logger, string node, int maximum);
}
