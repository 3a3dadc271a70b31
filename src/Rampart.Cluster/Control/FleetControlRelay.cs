using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Rampart.Fleet.Monitoring;

namespace Rampart.Cluster.Control;

/// <summary>
/// Live control across nodes (threat model, "Revocation is immediate"): revocations, retirements,
/// quarantines, releases and zone changes (confinement, release from it, a move: issue 18) decided on this node go out on <c>PREFIX.ctl.fleet</c>; those of other
/// nodes are applied here to the sessions this node holds, with the same applier as local ones.
/// Each node has already recorded its own change (audited, in the shared database); this only moves
/// the consequence to wherever the session is. Core NATS: a node that is cut off from NATS when the
/// event is sent misses it — its devices' next CONNECT is decided against the database, which has it.
/// </summary>
public sealed partial class FleetControlRelay : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };
    private readonly INatsConnection _nats;
    private readonly FleetEventStream _stream;
    private readonly Func<FleetEvent, int> _apply;
    private readonly string _nodeId;
    private readonly string _subject;
    private readonly ILogger _logger;
    private readonly List<Task> _loops = [];
    private FleetEventSubscription? _local;
    private INatsSub<byte[]>? _remote;
    private long _applied;

    public FleetControlRelay(INatsConnection nats, FleetEventStream stream, Func<FleetEvent, int> apply, string nodeId, string prefix, ILogger logger)
    {
        _nats = nats;
        _stream = stream;
        _apply = apply;
        _nodeId = nodeId;
        _subject = prefix + ".ctl.fleet";
        _logger = logger;
    }

    /// <summary>Events from other nodes applied here.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _remote = await _nats.SubscribeCoreAsync<byte[]>(_subject, cancellationToken: cancellationToken);
        _local = _stream.Subscribe();
        _loops.Add(Task.Run(() => ForwardAsync(_local)));
        _loops.Add(Task.Run(() => ApplyAsync(_remote)));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _local?.Dispose();
        if (_remote is not null)
        {
            await _remote.DisposeAsync();
        }

        await Task.WhenAll(_loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>The wire form of the events that cross nodes; null for the others.</summary>
    internal static ControlMessage? ToMessage(FleetEvent fleetEvent) => fleetEvent switch
    {
        DeviceAccessChanged changed => new ControlMessage("access", changed.Time, changed.Reason) { DeviceId = changed.DeviceId, Change = changed.Change },
        DeviceZoneChanged zone => new ControlMessage("zone", zone.Time, zone.Reason) { DeviceId = zone.DeviceId, Zone = zone.Zone, Confined = zone.Confined },
        CertificateRevoked revoked => new ControlMessage("revoked", revoked.Time, revoked.Reason) { Serial = revoked.Serial, Profile = revoked.Profile, Subject = revoked.Subject },
        _ => null,
    };

    internal static FleetEvent? FromMessage(ControlMessage message) => message switch
    {
        { Kind: "access", DeviceId: { } device, Change: { } change } => new DeviceAccessChanged(message.Time, device, change, message.Reason),
        { Kind: "zone", DeviceId: { } device, Confined: { } confined } => new DeviceZoneChanged(message.Time, device, message.Zone, confined, message.Reason),
        { Kind: "revoked", Serial: { } serial, Profile: { } profile, Subject: { } subject } => new CertificateRevoked(message.Time, serial, profile, subject, message.Reason),
        _ => null,
    };

    private async Task ForwardAsync(FleetEventSubscription subscription)
    {
        await foreach (var fleetEvent in subscription.Events.ReadAllAsync())
        {
            if (ToMessage(fleetEvent) is not { } message)
            {
                continue;
            }

            try
            {
                await _nats.PublishAsync(_subject, JsonSerializer.SerializeToUtf8Bytes(message, Json), new NatsHeaders { ["Rampart-Origin"] = _nodeId });
            }
            catch (NatsException exception)
            {
                LogForwardFailed(_logger, fleetEvent.GetType().Name, exception.Message);
            }
        }
    }

    private async Task ApplyAsync(INatsSub<byte[]> subscription)
    {
        await foreach (var nats in subscription.Msgs.ReadAllAsync())
        {
            if (nats.Headers is null || !nats.Headers.TryGetValue("Rampart-Origin", out var origin) || origin.ToString() == _nodeId)
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize<ControlMessage>(nats.Data ?? [], Json) is { } message && FromMessage(message) is { } fleetEvent)
                {
                    var touched = _apply(fleetEvent);
                    Interlocked.Increment(ref _applied);
                    LogApplied(_logger, fleetEvent.GetType().Name, origin.ToString(), touched);
                }
            }
            catch (JsonException exception)
            {
                LogUnreadable(_logger, origin.ToString(), exception.Message);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Supervised like the local loop: one event that fails to apply does not stop the next.
                LogApplyFailed(_logger, origin.ToString(), exception);
            }
        }
    }

    /// <summary>A fleet event as it crosses nodes.</summary>
    internal sealed record ControlMessage(string Kind, DateTimeOffset Time, string Reason)
    {
        public string? DeviceId { get; init; }

        public DeviceAccessChange? Change { get; init; }

        public string? Serial { get; init; }

        public string? Profile { get; init; }

        public string? Subject { get; init; }

        public string? Zone { get; init; }

        public bool? Confined { get; init; }
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "{Event} from node {Node} applied to {Sessions} MQTT session(s) here")]
    private static partial void LogApplied(ILogger logger, string @event, string node, int sessions);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Error, Message = "{Event} could not be sent to the other nodes: {Reason}")]
    private static partial void LogForwardFailed(ILogger logger, string @event, string reason);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "a control message from node {Node} is unreadable: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string node, string reason);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Error, Message = "a control message from node {Node} could not be applied")]
    private static partial void LogApplyFailed(ILogger logger, string node, Exception exception);
}
