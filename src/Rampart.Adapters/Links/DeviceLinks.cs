using System.Collections.Concurrent;
using Rampart.Adapters.FrontDoors;
using Rampart.Fleet.Gateway;
using Rampart.Mqtt.Protocol;

namespace Rampart.Adapters.Links;

/// <summary>
/// The broker links of the devices that use a front door now: at most one per device (client id =
/// device id, so a device is one session in the broker whichever door it uses), opened on demand,
/// closed when idle. Opening follows the gateway's CONNECT decision: 1. the identity's reconnect rate
/// (its limits are the gateway's, shared with its MQTT connections; legacy devices have their own,
/// tighter ones), 2. the session is registered in the broker, where live control (revocation,
/// retirement, quarantine) reaches it, 3. only then is the identity resolved again from the stores, so
/// a change committed before that read is seen, and one committed after reaches the session.
/// </summary>
public sealed class DeviceLinks : IAsyncDisposable
{
    private readonly AdapterGateway _gateway;
    private readonly AdapterOptions _options;
    private readonly TimeProvider _time;
    private readonly GatewayOptions _legacyOptions;
    private readonly IdentityLimitCache _legacyLimits;
    private readonly ConcurrentDictionary<string, BrokerLink> _links = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim[] _openLocks = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly ITimer _sweep;

    public DeviceLinks(AdapterGateway gateway, AdapterOptions options, IHeldCommandStore held, TimeProvider time)
    {
        _gateway = gateway;
        _options = options;
        _time = time;
        _legacyOptions = LegacyLimits(gateway.Options, options);
        _legacyLimits = new IdentityLimitCache(_legacyOptions, time);
        Held = new HeldCommands(held, options, time);
        _sweep = time.CreateTimer(_ => _ = SweepAsync(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// A credential stopped being good for a device's sessions (deviceId, credential): its link was ended
    /// by live control (revocation, retirement, PSK rotation — here or, through the cluster's relay, on
    /// another node) or the credential was replaced here. The CoAP listener ends the DTLS sessions it authenticated.
    /// </summary>
    public event Action<string, string>? CredentialEnded;

    /// <summary>Links open now.</summary>
    public int Count => _links.Count;

    /// <summary>Commands of devices whose link closed before they collected them, waiting for their next link.</summary>
    public HeldCommands Held { get; }

    /// <summary>The gateway options legacy devices are held to: the gateway's, with the tighter legacy rates.</summary>
    public GatewayOptions LegacyOptions => _legacyOptions;

    /// <summary>The open link of <paramref name="deviceId"/>, if any.</summary>
    public BrokerLink? Find(string deviceId) => _links.TryGetValue(deviceId, out var link) && link.IsOpen ? link : null;

    /// <summary>
    /// The device's link for <paramref name="identity"/>: the open one when it was opened with the same
    /// credential, else a new one (replacing a link of another credential, as a new MQTT connection
    /// takes over a session). <paramref name="recheck"/> resolves the identity again once the session is registered.
    /// </summary>
    public async Task<(BrokerLink? Link, FrontDoorRefusal? Refusal)> AcquireAsync(
        FrontDoorIdentity identity, string source, Func<CancellationToken, Task<FrontDoorResolution>> recheck, CancellationToken cancellationToken)
    {
        var deviceId = identity.DeviceId;
        if (Reusable(deviceId, identity) is { } ready)
        {
            return (ready, null);
        }

        var gate = _openLocks[(uint)StringComparer.Ordinal.GetHashCode(deviceId) % (uint)_openLocks.Length];
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (Reusable(deviceId, identity) is { } opened)
            {
                return (opened, null);
            }

            if (_links.TryRemove(deviceId, out var previous))
            {
                await RetireAsync(deviceId, previous);
            }

            if (_links.Count >= _options.MaxLinks)
            {
                return Refuse(identity, source, "link-limit", $"the front doors hold their maximum of {_options.MaxLinks} device links", FrontDoorRefusalKind.Limited);
            }

            return await OpenAsync(identity, source, recheck, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Closes the device's link (its session stays in the broker); true when one was open.</summary>
    public async Task<bool> CloseAsync(string deviceId)
    {
        if (!_links.TryRemove(deviceId, out var link))
        {
            return false;
        }

        await RetireAsync(deviceId, link);
        return true;
    }

    /// <summary>
    /// A credential was replaced or revoked (PSK rotation, legacy secret): every session it
    /// authenticated ends at once, in the broker too, with its will discarded.
    /// </summary>
    public async Task<int> EndCredentialAsync(string deviceId, string credential, string reason)
    {
        if (_links.TryGetValue(deviceId, out var link) && link.Policy.Identity.CertificateSerial == credential)
        {
            link.Policy.Revoke(MqttReasonCode.NotAuthorized, reason);
            _links.TryRemove(new KeyValuePair<string, BrokerLink>(deviceId, link));
            await RetireAsync(deviceId, link);
        }

        // Sessions whose link had closed idle hold the credential too.
        CredentialEnded?.Invoke(deviceId, credential);

        return _gateway.Broker.EndSessions(ClientIdentity.PrincipalOf(ClientKind.Device, deviceId),
            policy => policy is GatewayClientPolicy client && client.Identity.CertificateSerial == credential, MqttReasonCode.NotAuthorized, reason);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _sweep.Dispose();
        foreach (var deviceId in _links.Keys.ToArray())
        {
            await CloseAsync(deviceId);
        }
    }

    private BrokerLink? Reusable(string deviceId, FrontDoorIdentity identity) =>
        _links.TryGetValue(deviceId, out var link) && link.IsOpen && !link.Policy.Revoked
        && link.Policy.Identity.CertificateSerial == identity.Credential ? link : null;

    private async Task<(BrokerLink?, FrontDoorRefusal?)> OpenAsync(
        FrontDoorIdentity identity, string source, Func<CancellationToken, Task<FrontDoorResolution>> recheck, CancellationToken cancellationToken)
    {
        var principal = identity.Identity.Principal;
        var limitCache = identity.Legacy ? _legacyLimits : _gateway.Limits;
        var limits = limitCache.Open(principal, ClientKind.Device);
        if (!limits.TryConnect())
        {
            limits.Closed();
            return Refuse(identity, source, "reconnect-rate", $"{principal} opens sessions faster than {_gateway.Options.DeviceConnectsPerMinute}/min", FrontDoorRefusalKind.Limited);
        }

        var traffic = _gateway.Traffic.For(principal);
        traffic.ConnectionAttempt(source);
        var closedOnce = 0;
        var policy = new GatewayClientPolicy(identity.Identity, identity.DeviceId, source, identity.Legacy ? _legacyOptions : _gateway.Options,
            _gateway.Events, traffic, limits, _ => { }, _ =>
            {
                if (Interlocked.Exchange(ref closedOnce, 1) == 0)
                {
                    limits.Closed();
                }
            });
        var link = new BrokerLink(policy, identity.Legacy, _gateway.MaximumPacketSize, _time)
        {
            // Live control flags the policy before it ends the session (GatewayControl): such an end is the credential's.
            OnClosed = closed =>
            {
                if (closed.Policy.Revoked)
                {
                    CredentialEnded?.Invoke(identity.DeviceId, identity.Credential);
                }
            },
        };
        link.Keep = command => Held.KeepAsync(identity.DeviceId, command);
        link.Claim = command => Held.ClaimAsync(identity.DeviceId, command);
        link.Preload(await Held.PendingAsync(identity.DeviceId, cancellationToken));
        string? problem;
        try
        {
            problem = await link.OpenAsync(_gateway.Broker, (uint)_options.SessionExpiry.TotalSeconds, subscribe: !identity.Legacy, cancellationToken);
        }
        catch
        {
            await RetireAsync(identity.DeviceId, link);
            throw;
        }

        if (problem is not null)
        {
            await RetireAsync(identity.DeviceId, link);
            return Refuse(identity, source, "session-refused", problem, FrontDoorRefusalKind.Forbidden);
        }

        var current = await recheck(cancellationToken);
        if (current.Identity is not { } now || now.Credential != identity.Credential)
        {
            await RetireAsync(identity.DeviceId, link);
            var refusal = current.Refusal ?? new FrontDoorRefusal("credential-changed", "the credential changed while the session opened");
            _gateway.Refusals.Record(source, refusal.Code, refusal.Message, identity.Credential, identity.DeviceId, identity.DeviceId);
            return (null, refusal);
        }

        policy.Resolved(now.Identity.Permissions);
        _links[identity.DeviceId] = link;
        return (link, null);
    }

    /// <summary>
    /// A command handed out but not delivered (a CoAP notification reset or never acknowledged): its row was
    /// claimed, so it is written again and goes back in line, or stays in the store when the link has closed.
    /// </summary>
    public async Task ReturnAsync(string deviceId, BrokerLink link, DeviceCommand command)
    {
        var kept = await Held.KeepAsync(deviceId, command with { Held = null });
        if (!link.Requeue(kept) && kept.Held is null)
        {
            await Held.HoldAsync(deviceId, [kept]);
        }
    }

    // A closed link's buffer holds commands the broker no longer has (acknowledged at delivery): keep them for
    // the next link. Those written through already (a row each) are in the store: holding them again would deliver them twice.
    private async Task RetireAsync(string deviceId, BrokerLink link)
    {
        await link.DisposeAsync();
        await Held.HoldAsync(deviceId, [.. link.Uncollected().Where(command => command.Held is null)]);
    }

    private (BrokerLink?, FrontDoorRefusal?) Refuse(FrontDoorIdentity identity, string source, string code, string message, FrontDoorRefusalKind kind)
    {
        _gateway.Refusals.Record(source, code, message, identity.Credential, identity.DeviceId, identity.DeviceId);
        return (null, new FrontDoorRefusal(code, message, kind));
    }

    private async Task SweepAsync()
    {
        foreach (var (deviceId, link) in _links.ToArray())
        {
            if (!link.IsOpen || (link.Users == 0 && link.Idle > _options.LinkIdleTimeout))
            {
                if (_links.TryRemove(new KeyValuePair<string, BrokerLink>(deviceId, link)))
                {
                    await RetireAsync(deviceId, link);
                }
            }
        }

        await Held.SweepAsync();
    }

    private static GatewayOptions LegacyLimits(GatewayOptions gateway, AdapterOptions options) => new()
    {
        DeviceMessagesPerSecond = Math.Min(options.LegacyMessagesPerSecond, gateway.DeviceMessagesPerSecond),
        DeviceMessageBurst = Math.Min(options.LegacyMessageBurst, gateway.DeviceMessageBurst),
        DeviceBytesPerSecond = Math.Min(options.LegacyBytesPerSecond, gateway.DeviceBytesPerSecond),
        DeviceByteBurst = Math.Min(options.LegacyByteBurst, gateway.DeviceByteBurst),
        DeviceConnectsPerMinute = gateway.DeviceConnectsPerMinute,
        DeviceConnectBurst = gateway.DeviceConnectBurst,
        DenialsBeforeDisconnect = gateway.DenialsBeforeDisconnect,
        LimitHitsBeforeDisconnect = gateway.LimitHitsBeforeDisconnect,
        LimitWindow = gateway.LimitWindow,
        MaxTrackedIdentities = gateway.MaxTrackedIdentities,
        MaxConnections = gateway.MaxConnections,
        RefusalsRecordedPerSecond = gateway.RefusalsRecordedPerSecond,
        HandshakeTimeout = gateway.HandshakeTimeout,
        MaxUnauthenticatedPerSource = gateway.MaxUnauthenticatedPerSource,
        EventsPerConnectionPerSecond = gateway.EventsPerConnectionPerSecond,
    };
}
