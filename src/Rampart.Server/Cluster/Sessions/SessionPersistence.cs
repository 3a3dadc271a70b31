using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Broker.Persistence;
using Rampart.Server.Gateway;
using Rampart.Storage;

namespace Rampart.Server.Cluster.Sessions;

/// <summary>
/// Keeps the broker's persistent sessions in the node's store (issue 15: sessions and queued QoS 1
/// messages survive a node restart and move with the device): every <see cref="SessionStoreOptions.FlushInterval"/>
/// the sessions that changed are written in one transaction (bounded write amplification), at stop
/// once more after the listeners closed, and a client resuming a session this node does not hold
/// claims it from the store at CONNECT — on this node after a restart, or on any node of the cluster.
/// </summary>
public sealed partial class SessionPersistence : WriteBehindService
{
    private readonly MqttBroker _broker;
    private readonly IMqttSessionStore _store;
    private readonly SessionStoreOptions _options;
    private readonly uint _maximumPacketSize;
    private readonly ILogger<SessionPersistence> _logger;
    private long _trimmed;
    private long _failures;

    public SessionPersistence(
        MqttGateway gateway, NodeStores stores, IOptions<SessionStoreOptions> options, IOptions<BrokerOptions> broker, SessionNode node, TimeProvider time,
        ILogger<SessionPersistence> logger)
        : base(options.Value, time)
    {
        _broker = gateway.Broker;
        _store = stores.MqttSessions;
        _options = options.Value;
        _maximumPacketSize = broker.Value.MaximumPacketSize;
        NodeId = node.Id;
        _logger = logger;

        // Before the listeners open (hosted services start first), so no CONNECT misses the store.
        _broker.UseStoredSessions(LoadAsync);
    }

    /// <summary>The id this node writes its rows under.</summary>
    public string NodeId { get; }

    /// <summary>Messages left out of stored states by <see cref="SessionStoreOptions.MaximumStoredBytes"/>.</summary>
    public long Trimmed => Interlocked.Read(ref _trimmed);

    /// <summary>Writes that failed (the store unreachable); each is retried at the next interval.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <inheritdoc />
    protected override async Task WriteChangesAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var changes = _broker.CaptureChanges(now, TimeSpan.FromHours(1));
        if (changes.Saved.Count == 0 && changes.Removed.Count == 0)
        {
            return;
        }

        var saved = changes.Saved.Select(captured => new StoredSession(captured.State.ClientId, captured.State.Owner, NodeId, captured.ExpiresAt, Encode(captured.State))).ToArray();
        try
        {
            await _store.SaveAsync(NodeId, saved, changes.Removed, now, cancellationToken);
            _broker.Persisted(changes, now);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The sessions stay changed in memory and are captured again; removals are put back.
            _broker.RequeueRemovals(changes);
            if (Interlocked.Increment(ref _failures) % 60 == 1)
            {
                LogWriteFailed(_logger, saved.Length, exception.Message);
            }
        }
    }

    /// <inheritdoc />
    protected override Task DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) => _store.DeleteExpiredAsync(now, cancellationToken);

    /// <inheritdoc />
    protected override void OnWriteFailed(int count, string reason) => LogWriteFailed(_logger, count, reason);

    private async ValueTask<SessionState?> LoadAsync(string clientId, string owner, CancellationToken cancellationToken)
    {
        try
        {
            if (await _store.ClaimAsync(clientId, owner, NodeId, Time.GetUtcNow(), cancellationToken) is not { } stored)
            {
                return null;
            }

            var state = SessionStateCodec.Decode(stored.ClientId, stored.Owner, stored.State, _maximumPacketSize, out var problem);
            if (state is null)
            {
                LogUnreadable(_logger, clientId, problem ?? "unreadable");
            }

            return state is null ? null : state with { WrittenAt = stored.WrittenAt };
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The store is unreachable: the client starts without its stored session (CONNACK session present 0 says so).
            LogLoadFailed(_logger, clientId, exception.Message);
            return null;
        }
    }

    // Subscriptions always; then messages oldest first while the state stays within the bound.
    private byte[] Encode(SessionState state)
    {
        var bytes = SessionStateCodec.Encode(state);
        if (bytes.Length <= _options.MaximumStoredBytes)
        {
            return bytes;
        }

        var kept = state.Messages.Count;
        while (bytes.Length > _options.MaximumStoredBytes && kept > 0)
        {
            kept = Math.Max(0, kept - Math.Max(1, kept / 4));
            bytes = SessionStateCodec.Encode(state with { Messages = state.Messages.Take(kept).ToArray() });
        }

        Interlocked.Add(ref _trimmed, state.Messages.Count - kept);
        LogTrimmed(_logger, state.ClientId, state.Messages.Count - kept, _options.MaximumStoredBytes);
        return bytes;
    }

    [LoggerMessage(EventId = 6220, Level = LogLevel.Warning, Message = "persistent sessions: writing {Count} sessions to the store failed ({Reason}); retried at the next interval")]
    private static partial void LogWriteFailed(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 6221, Level = LogLevel.Warning, Message = "persistent session {ClientId}: the store could not be read ({Reason}); the client starts a new session")]
    private static partial void LogLoadFailed(ILogger logger, string clientId, string reason);

    [LoggerMessage(EventId = 6222, Level = LogLevel.Warning, Message = "persistent session {ClientId}: its stored state is not valid ({Reason}); the client starts a new session")]
    private static partial void LogUnreadable(ILogger logger, string clientId, string reason);

    [LoggerMessage(EventId = 6223, Level = LogLevel.Warning, Message = "persistent session {ClientId}: {Count} newest messages kept in memory only (stored state above {Limit} bytes)")]
    private static partial void LogTrimmed(ILogger logger, string clientId, int count, int limit);
}

/// <summary>The id this node's session rows carry: its cluster node id, or one per start for a node alone.</summary>
public sealed record SessionNode(string Id);
