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
/// subscriptions those do not allow.
/// </summary>
public sealed partial class GatewayControl(FleetEventStream stream, MqttGateway gateway, ILogger<GatewayControl> logger) : IHostedService, IDisposable
{
    private FleetEventSubscription? _subscription;
    private Task? _loop;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Subscribed before the listeners open, so no change can slip between.
        _subscription = stream.Subscribe();
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

    /// <summary>Applies one fleet event to the live sessions; returns how many sessions it touched.</summary>
    public int Apply(FleetEvent fleetEvent)
    {
        switch (fleetEvent)
        {
            case CertificateRevoked revoked when revoked.Profile is "device" or "service":
                var ended = 0;
                foreach (var client in gateway.Clients.Values.Where(c => c.Identity.CertificateSerial == revoked.Serial).ToArray())
                {
                    ended += gateway.Broker.Disconnect(client.ClientId, MqttReasonCode.NotAuthorized, $"certificate {revoked.Serial} was revoked ({revoked.Reason})") ? 1 : 0;
                }

                return ended;
            case DeviceAccessChanged { Change: DeviceAccessChange.Retired } retired:
                return gateway.Broker.Disconnect(retired.DeviceId, MqttReasonCode.AdministrativeAction, "the device was retired") ? 1 : 0;
            case DeviceAccessChanged { Change: DeviceAccessChange.Quarantined or DeviceAccessChange.Released } change
                when gateway.Clients.TryGetValue(change.DeviceId, out var client) && client.Identity.Kind == ClientKind.Device:
                var template = change.Change == DeviceAccessChange.Quarantined ? PermissionTemplate.Quarantine : PermissionTemplate.Device;
                client.Permissions = template.Bind(client.Identity.Id);
                var dropped = gateway.Broker.RevalidateSubscriptions(client.ClientId);
                gateway.Events.Record("gateway.permissions-changed", SecuritySeverity.Info, client.Identity.Id, client.Source, new Dictionary<string, string>
                {
                    ["client-id"] = client.ClientId,
                    ["template"] = change.Change == DeviceAccessChange.Quarantined ? "quarantine" : "device",
                    ["subscriptions-dropped"] = dropped.ToString(System.Globalization.CultureInfo.InvariantCulture),
                });
                return 1;
            default:
                return 0;
        }
    }

    private async Task RunAsync(FleetEventSubscription subscription)
    {
        await foreach (var fleetEvent in subscription.Events.ReadAllAsync())
        {
            try
            {
                if (Apply(fleetEvent) is var touched and > 0)
                {
                    LogApplied(logger, fleetEvent.GetType().Name, touched);
                }
            }
            catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
            {
                LogFailed(logger, fleetEvent.GetType().Name, exception);
            }
        }
    }

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "{Event} applied to {Sessions} live MQTT session(s)")]
    private static partial void LogApplied(ILogger logger, string @event, int sessions);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "{Event} could not be applied to live MQTT sessions")]
    private static partial void LogFailed(ILogger logger, string @event, Exception exception);
}
