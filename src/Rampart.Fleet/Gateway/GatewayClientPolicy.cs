using System.Globalization;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Permissions;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Protocol;

namespace Rampart.Fleet.Gateway;

/// <summary>
/// The broker's policy for one authenticated connection: the identity's bound permissions (swapped
/// whole on quarantine), its token buckets, the denial count that ends a probing connection, and
/// the counters and events every decision feeds.
/// </summary>
public sealed class GatewayClientPolicy : IMqttClientPolicy
{
    private readonly GatewayOptions _options;
    private readonly GatewayEventTap _events;
    private readonly ClientTraffic _traffic;
    private readonly TokenBucket? _messages;
    private readonly TokenBucket? _bytes;
    private readonly TokenBucket _eventBudget;
    private readonly Action<GatewayClientPolicy> _onConnected;
    private readonly Action<GatewayClientPolicy> _onClosed;
    private TopicPermissions _permissions;
    private int _denials;
    private int _limitHits;
    private long _dropped;
    private long _suppressedEvents;

    public GatewayClientPolicy(
        ClientIdentity identity, string clientId, string source, GatewayOptions options, GatewayEventTap events, ClientTraffic traffic, TimeProvider time,
        Action<GatewayClientPolicy> onConnected, Action<GatewayClientPolicy> onClosed)
    {
        Identity = identity;
        ClientId = clientId;
        Source = source;
        _options = options;
        _events = events;
        _traffic = traffic;
        _permissions = identity.Permissions;
        _onConnected = onConnected;
        _onClosed = onClosed;
        _eventBudget = new TokenBucket(options.EventsPerConnectionPerSecond, Math.Max(10, options.EventsPerConnectionPerSecond * 5), time);

        // Device limits; a service's load is the operator's to size, so services are not rate-limited.
        if (identity.Kind == ClientKind.Device)
        {
            _messages = new TokenBucket(options.DeviceMessagesPerSecond, options.DeviceMessageBurst, time);
            _bytes = new TokenBucket(options.DeviceBytesPerSecond, options.DeviceByteBurst, time);
        }
    }

    public ClientIdentity Identity { get; }

    public string ClientId { get; }

    /// <summary>The remote address (host:port).</summary>
    public string Source { get; }

    /// <summary>The permissions in force; replaced whole when the device is quarantined or released.</summary>
    public TopicPermissions Permissions
    {
        get => Volatile.Read(ref _permissions);
        set => Volatile.Write(ref _permissions, value);
    }

    private string? DeviceId => Identity.Kind == ClientKind.Device ? Identity.Id : null;

    /// <inheritdoc />
    public Admission AuthorizePublish(string topic, int bytes)
    {
        if (!Permissions.CanPublish(topic))
        {
            return Denied("gateway.publish-denied", "topic", topic, $"{Identity.Principal} may not publish to '{topic}'");
        }

        // Both buckets are checked before either is charged, so a refused message costs nothing.
        if (_messages is not null && !_messages.Has(1))
        {
            return LimitHit("message-rate", $"more than {_options.DeviceMessagesPerSecond} messages/s", MqttReasonCode.MessageRateTooHigh);
        }

        if (_bytes is not null && !_bytes.Has(bytes))
        {
            return LimitHit("byte-rate", $"more than {_options.DeviceBytesPerSecond} bytes/s", MqttReasonCode.QuotaExceeded);
        }

        _messages?.Take(1);
        _bytes?.Take(bytes);
        _traffic.MessageIn(bytes);
        return Admission.Allowed;
    }

    /// <inheritdoc />
    public Admission AuthorizeSubscribe(string filter) =>
        Permissions.CanSubscribe(filter)
            ? Admission.Allowed
            : Denied("gateway.subscribe-denied", "filter", filter, $"{Identity.Principal} may not subscribe to '{filter}'");

    /// <inheritdoc />
    public bool MayKeepSubscription(string filter) => Permissions.CanSubscribe(filter);

    /// <inheritdoc />
    public void OnConnected(bool sessionPresent, string? tookOverFrom)
    {
        _onConnected(this);
        Record("gateway.connected", SecuritySeverity.Info, new Dictionary<string, string>
        {
            ["client-id"] = ClientId,
            ["principal"] = Identity.Principal,
            ["serial"] = Identity.CertificateSerial,
            ["session-present"] = sessionPresent ? "true" : "false",
        }, force: true);
        if (tookOverFrom is not null)
        {
            // A second connection from another address with the same certificate: the key may have been copied.
            var cloned = !SameHost(tookOverFrom, Source);
            Record(cloned ? "gateway.possible-cloned-identity" : "gateway.session-taken-over", cloned ? SecuritySeverity.High : SecuritySeverity.Info,
                new Dictionary<string, string> { ["client-id"] = ClientId, ["previous-source"] = tookOverFrom, ["new-source"] = Source }, force: true);
        }
    }

    /// <inheritdoc />
    public void OnDelivered(int bytes) => _traffic.MessageOut(bytes);

    /// <inheritdoc />
    public void OnDropped(string reason)
    {
        _traffic.Drop();
        Interlocked.Increment(ref _dropped);
    }

    /// <inheritdoc />
    public void OnClosed(MqttReasonCode reason, string detail)
    {
        _traffic.Disconnected();
        _onClosed(this);
        var details = new Dictionary<string, string>
        {
            ["client-id"] = ClientId,
            ["reason-code"] = "0x" + ((byte)reason).ToString("X2", CultureInfo.InvariantCulture),
            ["reason"] = detail,
        };
        if (Interlocked.Read(ref _dropped) is var dropped and > 0)
        {
            details["messages-dropped"] = dropped.ToString(CultureInfo.InvariantCulture);
        }

        if (Interlocked.Read(ref _suppressedEvents) is var suppressed and > 0)
        {
            details["events-suppressed"] = suppressed.ToString(CultureInfo.InvariantCulture);
        }

        Record("gateway.disconnected", (byte)reason >= 0x80 && reason is not (MqttReasonCode.SessionTakenOver or MqttReasonCode.ServerShuttingDown) ? SecuritySeverity.Warning : SecuritySeverity.Info, details, force: true);
    }

    private Admission Denied(string kind, string field, string value, string reason)
    {
        _traffic.Denied();
        Record(kind, SecuritySeverity.Warning, new Dictionary<string, string> { ["client-id"] = ClientId, [field] = value });
        if (_options.DenialsBeforeDisconnect > 0 && ++_denials >= _options.DenialsBeforeDisconnect)
        {
            return Admission.Disconnect(MqttReasonCode.NotAuthorized, $"{_denials} authorisation denials: {reason}");
        }

        return Admission.Deny(MqttReasonCode.NotAuthorized, reason);
    }

    private Admission LimitHit(string limit, string reason, MqttReasonCode code)
    {
        _traffic.LimitHit();
        Record("gateway.limit-exceeded", SecuritySeverity.Warning, new Dictionary<string, string> { ["client-id"] = ClientId, ["limit"] = limit });
        if (_options.LimitHitsBeforeDisconnect > 0 && ++_limitHits >= _options.LimitHitsBeforeDisconnect)
        {
            return Admission.Disconnect(code, $"{_limitHits} limit hits: {reason}");
        }

        return Admission.Deny(code, reason);
    }

    private void Record(string kind, SecuritySeverity severity, Dictionary<string, string> details, bool force = false)
    {
        // Per-connection budget: a probing or flooding client is counted in full, but stored in part.
        if (!force && !_eventBudget.TryTake(1))
        {
            Interlocked.Increment(ref _suppressedEvents);
            return;
        }

        _events.Record(kind, severity, DeviceId, Source, details);
    }

    private static bool SameHost(string a, string b) => HostOf(a) == HostOf(b);

    private static string HostOf(string endpoint) =>
        System.Net.IPEndPoint.TryParse(endpoint, out var parsed) ? parsed.Address.ToString() : endpoint;
}
