using System.Globalization;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Permissions;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Protocol;

namespace Rampart.Fleet.Gateway;

/// <summary>
/// The broker's policy for one authenticated connection: the identity's bound permissions (swapped
/// whole on quarantine), the identity's limits (shared by all its connections, so reconnecting resets
/// nothing), a revocation flag live control can set before the session even exists, and the counters
/// and events every decision feeds.
/// </summary>
public sealed class GatewayClientPolicy : IMqttClientPolicy
{
    private readonly GatewayOptions _options;
    private readonly GatewayEventTap _events;
    private readonly ClientTraffic _traffic;
    private readonly IdentityLimits _limits;
    private readonly Action<GatewayClientPolicy> _onConnected;
    private readonly Action<GatewayClientPolicy> _onClosed;
    private readonly Lock _controlLock = new();
    private TopicPermissions _permissions;
    private Tuple<MqttReasonCode, string>? _revoked;
    private bool _controlled;
    private long _dropped;
    private long _suppressedEvents;

    public GatewayClientPolicy(
        ClientIdentity identity, string clientId, string source, GatewayOptions options, GatewayEventTap events, ClientTraffic traffic, IdentityLimits limits,
        Action<GatewayClientPolicy> onConnected, Action<GatewayClientPolicy> onClosed)
    {
        Identity = identity;

        // Computed once: every message the connection publishes carries it.
        Principal = identity.Principal;
        ClientId = clientId;
        Source = source;
        _options = options;
        _events = events;
        _traffic = traffic;
        _limits = limits;
        _permissions = identity.Permissions;
        _onConnected = onConnected;
        _onClosed = onClosed;
    }

    public ClientIdentity Identity { get; }

    public string ClientId { get; }

    /// <summary>The remote address (host:port).</summary>
    public string Source { get; }

    /// <inheritdoc />
    public string Principal { get; }

    /// <summary>The identity's limits, shared with its other connections.</summary>
    public IdentityLimits Limits => _limits;

    /// <summary>The permissions in force; replaced whole when the device is quarantined or released.</summary>
    public TopicPermissions Permissions => Volatile.Read(ref _permissions);

    /// <summary>True once live control revoked the connection (certificate revoked, device retired).</summary>
    public bool Revoked => Volatile.Read(ref _revoked) is not null;

    private string? DeviceId => Identity.Kind == ClientKind.Device ? Identity.Id : null;

    /// <summary>Live control: the fleet changed this identity's permissions (quarantine, release). Wins over a resolution that was under way.</summary>
    public void Control(TopicPermissions permissions)
    {
        lock (_controlLock)
        {
            _controlled = true;
            Volatile.Write(ref _permissions, permissions);
        }
    }

    /// <summary>
    /// The permissions the CONNECT-time re-resolution found; ignored when live control changed them
    /// since this policy was registered (that change is newer than the state the resolution read).
    /// </summary>
    public void Resolved(TopicPermissions permissions)
    {
        lock (_controlLock)
        {
            if (!_controlled)
            {
                Volatile.Write(ref _permissions, permissions);
            }
        }
    }

    /// <summary>Live control: the identity may no longer connect; a CONNECT still being decided is refused with <paramref name="code"/>.</summary>
    public void Revoke(MqttReasonCode code, string reason) => Volatile.Write(ref _revoked, Tuple.Create(code, reason));

    /// <inheritdoc />
    public Admission AuthorizeSession() => Volatile.Read(ref _revoked) is { } revoked ? Admission.Deny(revoked.Item1, revoked.Item2) : Admission.Allowed;

    /// <inheritdoc />
    public Admission AuthorizePublish(string topic, int bytes)
    {
        // A revoked identity publishes nothing more, a delayed will included (its session may outlive the revocation's reach).
        if (Volatile.Read(ref _revoked) is { } revoked)
        {
            return Admission.Disconnect(revoked.Item1, revoked.Item2);
        }

        if (!Permissions.CanPublish(topic))
        {
            return Denied("gateway.publish-denied", "topic", topic, $"{Identity.Principal} may not publish to '{topic}'");
        }

        switch (_limits.TryPublish(bytes))
        {
            case PublishBudget.MessageRate:
                return LimitHit("message-rate", $"more than {_limits.Override?.MessagesPerSecond ?? _options.DeviceMessagesPerSecond} messages/s", MqttReasonCode.MessageRateTooHigh);
            case PublishBudget.ByteRate:
                return LimitHit("byte-rate", $"more than {_limits.Override?.BytesPerSecond ?? _options.DeviceBytesPerSecond} bytes/s", MqttReasonCode.QuotaExceeded);
            default:
                _traffic.MessageIn(bytes);
                return Admission.Allowed;
        }
    }

    /// <inheritdoc />
    public Admission AuthorizeSubscribe(string filter) =>
        Volatile.Read(ref _revoked) is { } revoked ? Admission.Disconnect(revoked.Item1, revoked.Item2)
        : Permissions.CanSubscribe(filter)
            ? Admission.Allowed
            : Denied("gateway.subscribe-denied", "filter", filter, $"{Identity.Principal} may not subscribe to '{filter}'");

    /// <inheritdoc />
    public bool MayKeepSubscription(string filter) => !Revoked && Permissions.CanSubscribe(filter);

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
        var denials = _limits.Denied();
        if (_options.DenialsBeforeDisconnect > 0 && denials >= _options.DenialsBeforeDisconnect)
        {
            return Admission.Disconnect(MqttReasonCode.NotAuthorized, $"{denials} authorisation denials: {reason}");
        }

        return Admission.Deny(MqttReasonCode.NotAuthorized, reason);
    }

    private Admission LimitHit(string limit, string reason, MqttReasonCode code)
    {
        _traffic.LimitHit();
        Record("gateway.limit-exceeded", SecuritySeverity.Warning, new Dictionary<string, string> { ["client-id"] = ClientId, ["limit"] = limit });
        var hits = _limits.LimitHit();
        if (_options.LimitHitsBeforeDisconnect > 0 && hits >= _options.LimitHitsBeforeDisconnect)
        {
            return Admission.Disconnect(code, $"{hits} limit hits: {reason}");
        }

        return Admission.Deny(code, reason);
    }

    private void Record(string kind, SecuritySeverity severity, Dictionary<string, string> details, bool force = false)
    {
        // Per-identity budget: a probing or flooding client is counted in full, but stored in part.
        if (!force && !_limits.TryRecordEvent())
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
