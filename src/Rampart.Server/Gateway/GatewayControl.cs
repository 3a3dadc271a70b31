using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Permissions;
using Rampart.Mqtt.Protocol;

namespace Rampart.Server.Gateway;

/// <summary>
/// Makes live sessions follow the fleet (threat model, "Revocation is immediate"): a revoked
/// certificate or a retired device ends its sessions with a DISCONNECT that says why; a quarantined
/// device keeps its connection but gets the quarantine permissions at once, and loses the
/// subscriptions those do not allow. It reaches every connection whose CONNECT is being decided
/// too (<see cref="MqttGateway.Registered"/>), so a change that lands mid-CONNECT is not lost. The
/// loop is supervised: an event that fails to apply is logged and counted, and the loop goes on
/// (a dead loop would leave revocations unapplied and, once the stream's buffer fills, block their publishers).
/// </summary>
public sealed partial class GatewayControl : IHostedService, IDisposable
{
    private readonly FleetEventStream _stream;
    private readonly MqttGateway _gateway;
    private readonly ILogger<GatewayControl> _logger;
    private readonly IDeviceTemplatePolicy[] _templates;
    private FleetEventSubscription? _subscription;
    private Task? _loop;
    private long _failures;
    private long _handled;

    public GatewayControl(FleetEventStream stream, MqttGateway gateway, ILogger<GatewayControl> logger, IEnumerable<IDeviceTemplatePolicy>? templates = null)
    {
        _stream = stream;
        _gateway = gateway;
        _logger = logger;
        _templates = templates?.ToArray() ?? [];
        Applier = Apply;
    }

    /// <summary>Events that failed to apply since the start.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Events the loop has handled (applied or failed) since the start.</summary>
    public long Handled => Interlocked.Read(ref _handled);

    /// <summary>What the loop applies each event with; tests replace it to inject a fault.</summary>
    internal Func<FleetEvent, int> Applier { get; set; }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Subscribed before the listeners open, so no change can slip between.
        _subscription = _stream.Subscribe();
        _loop = Task.Run(() => RunAsync(_subscription), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _subscription?.Dispose();

    /// <summary>Applies one fleet event to the live and connecting sessions; returns how many it touched.</summary>
    public int Apply(FleetEvent fleetEvent)
    {
        switch (fleetEvent)
        {
            case CertificateRevoked revoked when revoked.Profile is "device" or "service":
                return End(Owner(revoked.Profile, revoked.Subject), c => c.Identity.CertificateSerial == revoked.Serial, MqttReasonCode.NotAuthorized, $"certificate {revoked.Serial} was revoked ({revoked.Reason})");
            case DeviceAccessChanged { Change: DeviceAccessChange.Retired } retired:
                return End(ClientIdentity.PrincipalOf(ClientKind.Device, retired.DeviceId), c => IsDevice(c, retired.DeviceId), MqttReasonCode.AdministrativeAction, "the device was retired");
            case DeviceAccessChanged { Change: DeviceAccessChange.Quarantined or DeviceAccessChange.Released } change:
                return Swap(change.DeviceId, change.Change == DeviceAccessChange.Quarantined);
            default:
                return 0;
        }
    }

    // Connections whose CONNECT is being decided get the new permissions first (the resume that binds
    // them revalidates the session with them); then the session, live or waiting offline, is
    // revalidated under the broker's session lock with the permissions of the policy that rules on it
    // now, swapped too, so a delayed will of an offline session is judged by the quarantine as well.
    private int Swap(string deviceId, bool quarantined)
    {
        // Released, the device gets the template it would connect with: a confined one stays confined (issue 18),
        // never the full device template until it reconnects.
        var narrowed = quarantined ? null : _templates.Select(policy => policy.LiveTemplateFor(deviceId)).FirstOrDefault(t => t is not null);
        var template = quarantined ? PermissionTemplate.Quarantine : narrowed ?? PermissionTemplate.Device;
        var permissions = template.Bind(deviceId);
        var connecting = 0;
        foreach (var client in _gateway.Registered.Where(c => IsDevice(c, deviceId)).ToArray())
        {
            client.Control(permissions);
            connecting++;
        }

        GatewayClientPolicy? session = null;
        var dropped = _gateway.Broker.RevalidateSubscriptions(deviceId, policy =>
        {
            if (policy is GatewayClientPolicy gateway && IsDevice(gateway, deviceId))
            {
                gateway.Control(permissions);
                session = gateway;
            }
        });
        if (session is not null)
        {
            _gateway.Events.Record("gateway.permissions-changed", SecuritySeverity.Info, deviceId, session.Source, new Dictionary<string, string>
            {
                ["client-id"] = session.ClientId,
                ["template"] = quarantined ? "quarantine" : narrowed is null ? "device" : "zone",
                ["subscriptions-dropped"] = dropped.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["connected"] = _gateway.Broker.IsConnected(deviceId) ? "true" : "false",
            });
        }

        return Math.Max(connecting, session is null ? 0 : 1);
    }

    private static bool IsDevice(GatewayClientPolicy client, string deviceId) => client.Identity.Kind == ClientKind.Device && client.Identity.Id == deviceId;

    // Flag first, then end: a CONNECT still being decided sees the flag under the broker's session
    // lock; a session already registered, connected or waiting offline for its identity, is ended by
    // the broker under the same lock, with its will discarded (the identity is no longer trusted).
    // The broker keeps sessions by the principal that created them (ClientIdentity.Principal): a
    // certificate's subject is the device id or the service name of the identity it was issued to.
    private static string Owner(string profile, string subject) => ClientIdentity.PrincipalOf(profile == "device" ? ClientKind.Device : ClientKind.Service, subject);

    private int End(string owner, Func<GatewayClientPolicy, bool> matches, MqttReasonCode code, string reason)
    {
        foreach (var client in _gateway.Registered.Where(matches).ToArray())
        {
            client.Revoke(code, reason);
        }

        return _gateway.Broker.EndSessions(owner, policy =>
        {
            if (policy is not GatewayClientPolicy client || !matches(client))
            {
                return false;
            }

            client.Revoke(code, reason);
            return true;
        }, code, reason);
    }

    private async Task RunAsync(FleetEventSubscription subscription)
    {
        await foreach (var fleetEvent in subscription.Events.ReadAllAsync())
        {
            try
            {
                if (Applier(fleetEvent) is var touched and > 0)
                {
                    LogApplied(_logger, fleetEvent.GetType().Name, touched);
                }
            }
            catch (Exception exception)
            {
                var failures = Interlocked.Increment(ref _failures);
                LogFailed(_logger, fleetEvent.GetType().Name, failures, exception);
            }

            Interlocked.Increment(ref _handled);
        }
    }

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "{Event} applied to {Sessions} live MQTT session(s)")]
    private static partial void LogApplied(ILogger logger, string @event, int sessions);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "{Event} could not be applied to live MQTT sessions ({Failures} failure(s) since the start); live control goes on with the next event")]
    private static partial void LogFailed(ILogger logger, string @event, long failures, Exception exception);
}
