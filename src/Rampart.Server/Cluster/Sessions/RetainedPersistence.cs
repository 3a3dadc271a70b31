using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Broker.Persistence;
using Rampart.Server.Gateway;
using Rampart.Storage;

namespace Rampart.Server.Cluster.Sessions;

/// <summary>
/// Keeps the broker's retained messages in the node's store (issue 15: retained messages survive a
/// node restart, item 5, and a node that joins the cluster later has them, item 3). The topics this
/// node's clients set or cleared are written every <see cref="SessionStoreOptions.FlushInterval"/>,
/// latest per topic, in one batch (a topic retained a thousand times in a second costs one row write),
/// and once more at stop. At start, before the listeners open, what the store holds is loaded: on
/// SQLite the node's own, on PostgreSQL the cluster's (a message retained on another node is written
/// by that node, so each change is written once). A kill -9 loses at most the last interval's changes.
/// </summary>
public sealed partial class RetainedPersistence : WriteBehindService
{
    // A clearing is kept this long as a tombstone, so an older value another node writes late does not come back.
    private static readonly TimeSpan TombstoneAge = TimeSpan.FromDays(1);

    private readonly MqttBroker _broker;
    private readonly IRetainedMessageStore _store;
    private readonly BrokerOptions _brokerOptions;
    private readonly ILogger<RetainedPersistence> _logger;
    private volatile bool _loaded;
    private volatile bool _catchUp;
    private long _failures;

    public RetainedPersistence(
        MqttGateway gateway, NodeStores stores, IOptions<SessionStoreOptions> options, IOptions<BrokerOptions> broker, TimeProvider time, ILogger<RetainedPersistence> logger)
        : base(options.Value, time)
    {
        _broker = gateway.Broker;
        _store = stores.RetainedMessages;
        _brokerOptions = broker.Value;
        _logger = logger;
        _broker.TrackRetainedChanges();
    }

    /// <summary>
    /// The node's fabric reconnected after an outage: retained changes made elsewhere meanwhile did not
    /// reach it, so the store is read again at the next interval (the store wins for every topic not
    /// changed here or heard from another node since that read began).
    /// </summary>
    public void CatchUp()
    {
        _catchUp = true;
        _loaded = false;
    }

    /// <summary>Writes that failed (the store unreachable); each is retried at the next interval.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <inheritdoc />
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Hosted services start before the listeners open: no SUBSCRIBE misses a stored retained message.
        await LoadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task WriteChangesAsync(CancellationToken cancellationToken)
    {
        var changes = _broker.CaptureRetainedChanges();
        if (changes.Count == 0)
        {
            return;
        }

        var stored = changes.Select(change => new StoredRetained(
            change.Topic, change.Message is { } message ? RetainedMessageCodec.Encode(message) : null, change.Message?.ExpiresAt, change.At)).ToArray();
        try
        {
            await _store.SaveAsync(stored, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Kept in memory and written at the next interval, unless the topic changed again meanwhile.
            _broker.RequeueRetainedChanges(changes);
            if (Interlocked.Increment(ref _failures) % 60 == 1)
            {
                LogWriteFailed(_logger, stored.Length, exception.Message);
            }
        }
    }

    /// <inheritdoc />
    protected override async Task BeforeWriteAsync(CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            // The store was unreachable at start: load once it answers (topics set here meanwhile keep their values).
            await LoadAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    protected override Task DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) => _store.DeleteExpiredAsync(now, now - TombstoneAge, cancellationToken);

    /// <inheritdoc />
    protected override void OnWriteFailed(int count, string reason) => LogWriteFailed(_logger, count, reason);

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var catchUp = _catchUp;
            _broker.BeginRetainedRestore();
            var stored = await _store.LoadAsync(Time.GetUtcNow(), _brokerOptions.MaximumRetainedMessages, cancellationToken);
            var messages = new List<MqttMessage>(stored.Count);
            foreach (var row in stored)
            {
                string? problem = "no message";
                if (row.Message is { } bytes && RetainedMessageCodec.Decode(bytes, _brokerOptions.MaximumPacketSize, out problem) is { } message)
                {
                    // Its version (when it was set), so a copy heard from another node is compared with it.
                    messages.Add(message.StampRetainedAt(row.SetAt));
                }
                else
                {
                    LogUnreadable(_logger, row.Topic, problem ?? "unreadable");
                }
            }

            var taken = _broker.RestoreRetained(messages, catchUp);
            _catchUp = false;
            _loaded = true;
            LogLoaded(_logger, taken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogLoadFailed(_logger, exception.Message);
        }
    }

    [LoggerMessage(EventId = 6230, Level = LogLevel.Warning, Message = "retained messages: writing {Count} changed topics to the store failed ({Reason}); retried at the next interval")]
    private static partial void LogWriteFailed(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 6231, Level = LogLevel.Warning, Message = "retained messages: the store could not be read ({Reason}); retried at the next interval, until then only messages retained since are served")]
    private static partial void LogLoadFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 6232, Level = LogLevel.Warning, Message = "retained message on {Topic}: its stored form is not valid ({Reason}); left out")]
    private static partial void LogUnreadable(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 6233, Level = LogLevel.Information, Message = "retained messages: {Count} loaded from the store")]
    private static partial void LogLoaded(ILogger logger, int count);
}
