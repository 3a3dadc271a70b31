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
    private FleetEventSubscription? _subscription;
    private Task? _loop;
    private long _failures;
    private long _handled;

    public GatewayControl(FleetEventStream stream, MqttGateway gateway, ILogger<GatewayControl> logger)
    {
        _stream = stream;
        _gateway = gateway;
        _logger = logger;
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
                return End(c => c.Identity.CertificateSerial == revoked.Serial, MqttReasonCode.NotAuthorized, $"certificate {revoked.Serial} was revoked ({revoked.Reason})");
            case DeviceAccessChanged { Change: DeviceAccessChange.Retired } retired:
                var ended = End(c => c.Identity.Kind == ClientKind.Device && c.Identity.Id == retired.DeviceId, MqttReasonCode.AdministrativeAction, "the device was retired");

                // A session waiting offline for the device ends too (no will: the identity is no longer trusted).
                return ended + (_gateway.Broker.Disconnect(retired.DeviceId, MqttReasonCode.AdministrativeAction, "the device was retired") && ended == 0 ? 1 : 0);
            case DeviceAccessChanged { Change: DeviceAccessChange.Quarantined or DeviceAccessChange.Released } change:
                var template = change.Change == DeviceAccessChange.Quarantined ? PermissionTemplate.Quarantine : PermissionTemplate.Device;
                var touched = 0;
                foreach (var client in _gateway.Registered.Where(c => c.Identity.Kind == ClientKind.Device && c.Identity.Id == change.DeviceId).ToArray())
                {
                    client.Control(template.Bind(client.Identity.Id));
                    var dropped = _gateway.Broker.RevalidateSubscriptions(client.ClientId);
                    _gateway.Events.Record("gateway.permissions-changed", SecuritySeverity.Info, client.Identity.Id, client.Source, new Dictionary<string, string>
                    {
                        ["client-id"] = client.ClientId,
                        ["template"] = change.Change == DeviceAccessChange.Quarantined ? "quarantine" : "device",
                        ["subscriptions-dropped"] = dropped.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    });
                    touched++;
                }

                return touched;
            default:
                return 0;
        }
    }

    // Flag first, then disconnect: a CONNECT still being decided sees the flag under the broker's
    // session lock; one already registered is found by the disconnect, which takes the same lock.
    private int End(Func<GatewayClientPolicy, bool> matches, MqttReasonCode code, string reason)
    {
        var ended = 0;
        foreach (var client in _gateway.Registered.Where(matches).ToArray())
        {
            client.Revoke(code, reason);
            ended += _gateway.Broker.Disconnect(client.ClientId, code, reason, only: client) ? 1 : 0;
        }

        return ended;
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
