using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Permissions;
using Rampart.Posture.Zones;
using Rampart.Server.Gateway;

namespace Rampart.Server.Posture;

/// <summary>
/// Makes live MQTT sessions follow a device's zone at once (issue 18, item 5): when a device is confined
/// or released, its connections (live and still connecting) get the new template's permissions without a
/// reconnect, lose the subscriptions those do not allow, and get the zone's lower message rate; the swap
/// is recorded as a security event and audited (<c>device.zone-permissions-swapped</c>). It also installs
/// the <see cref="ZoneDeliveryFilter"/> in front of the broker's filter in force, which enforces the zone's
/// command and consumer services on every message.
/// </summary>
public sealed partial class ZoneSessions(
    MqttGateway gateway, ConfinedTemplates zones, IOptions<GatewayOptions> gatewayOptions, IAuditLog audit, ILogger<ZoneSessions> logger)
{
    /// <summary>The actor of the swap's audit entry.</summary>
    public const string Actor = "system:zones";

    private ZoneDeliveryFilter? _filter;

    /// <summary>The filter installed by <see cref="Install"/>, or null before.</summary>
    public ZoneDeliveryFilter? Filter => _filter;

    /// <summary>
    /// Chains the zone filter in front of the broker's filter in force (privacy's: its host starts before
    /// posture's), and gives every confined device its zone's message rate.
    /// </summary>
    public void Install(IEnumerable<string> confinedDevices)
    {
        _filter = new ZoneDeliveryFilter(zones, gateway.Broker.DeliveryFilter);
        gateway.Broker.UseDeliveryFilter(_filter);
        foreach (var deviceId in confinedDevices)
        {
            Limit(deviceId);
        }

        // A device's inventory zone is learnt when it connects: its zone's rate holds from its first message.
        zones.ZoneLearnt += deviceId => Limit(deviceId);
    }

    /// <summary>The template a device in this state gets: a quarantine outranks the zone; otherwise the zone's (ClientIdentityResolver does the same at CONNECT).</summary>
    public static (string Name, PermissionTemplate Template) TemplateOf(Device device, bool confined) =>
        device.State == DeviceState.Quarantined ? ("quarantine", PermissionTemplate.Quarantine)
            : confined ? ("confined", ConfinedTemplates.Confined) : ("device", PermissionTemplate.Device);

    /// <summary>
    /// Applies a committed confinement or release to the device's sessions; returns how many it touched. With
    /// <paramref name="heldOnly"/> (a change made on another node, issue 15) nothing is recorded or audited when
    /// this node holds no session of the device: only the node holding it says what its session felt.
    /// </summary>
    public async Task<int> ApplyAsync(Device device, bool confined, bool heldOnly = false)
    {
        var zone = zones.EffectiveZone(device.Id) ?? "-";
        var (name, template) = TemplateOf(device, confined);
        var permissions = template.Bind(device.Id);
        var connecting = 0;
        foreach (var client in gateway.Registered.Where(c => IsDevice(c, device.Id)).ToArray())
        {
            client.Control(permissions);
            connecting++;
        }

        GatewayClientPolicy? session = null;
        var dropped = gateway.Broker.RevalidateSubscriptions(device.Id, policy =>
        {
            if (policy is GatewayClientPolicy client && IsDevice(client, device.Id))
            {
                client.Control(permissions);
                session = client;
            }
        });
        var rate = Limit(device.Id);
        var touched = Math.Max(connecting, session is null ? 0 : 1);
        if (heldOnly && touched == 0)
        {
            return 0;
        }

        var details = new Dictionary<string, string>
        {
            ["zone"] = zone,
            ["template"] = name,
            ["message-rate"] = rate?.ToString(CultureInfo.InvariantCulture) ?? "default",
            ["sessions"] = touched.ToString(CultureInfo.InvariantCulture),
            ["subscriptions-dropped"] = dropped.ToString(CultureInfo.InvariantCulture),
        };
        if (session is not null)
        {
            gateway.Events.Record("gateway.permissions-changed", SecuritySeverity.Info, device.Id, session.Source,
                new Dictionary<string, string>(details) { ["client-id"] = session.ClientId, ["connected"] = gateway.Broker.IsConnected(device.Id) ? "true" : "false" });
        }

        try
        {
            await audit.AppendAsync(new AuditRecord(Actor, "device.zone-permissions-swapped", $"device/{device.Id}", AuditOutcome.Success, details));
        }
        catch (Exception exception)
        {
            // The confinement itself was audited with its change; this entry records what live sessions felt.
            LogAuditFailed(logger, device.Id, exception);
        }

        return touched;
    }

    // The zone's message rate, in the gateway's zone slot (apart from detection's "tighten limits", which
    // sets, lifts and syncs its own; the tighter of both applies). Set only when it changes: a reconnect
    // does not refill the zone's buckets.
    private double? Limit(string deviceId)
    {
        var principal = ClientIdentity.PrincipalOf(ClientKind.Device, deviceId);
        var zoneLimit = Override(zones.EffectiveZone(deviceId));
        if (gateway.Limits.ZoneLimitOf(principal) != zoneLimit)
        {
            gateway.Limits.SetZoneLimit(principal, zoneLimit);
        }

        return zoneLimit?.MessagesPerSecond;
    }

    private LimitOverride? Override(string? zone)
    {
        if (zone is null || !zones.Policy.Zones.TryGetValue(zone, out var rule) || rule.MessagesPerSecond is not { } rate)
        {
            return null;
        }

        var options = gatewayOptions.Value;
        return new LimitOverride(rate, Math.Max(1, Math.Ceiling(rate)), options.DeviceBytesPerSecond, options.DeviceByteBurst);
    }

    private static bool IsDevice(GatewayClientPolicy client, string deviceId) => client.Identity.Kind == ClientKind.Device && client.Identity.Id == deviceId;

    [LoggerMessage(EventId = 18005, Level = LogLevel.Error, Message = "The live permission swap of device {Device} could not be audited")]
    private static partial void LogAuditFailed(ILogger logger, string device, Exception exception);
}
