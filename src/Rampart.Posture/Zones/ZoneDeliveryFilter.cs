using Rampart.Mqtt.Broker;

namespace Rampart.Posture.Zones;

/// <summary>
/// A restricted zone's policy on every message (issue 18, item 5), as the broker's delivery filter: a
/// message for a device in a restricted zone (its commands, config) is delivered only when a service the
/// zone names in <c>CommandServices</c> (or the node itself) published it; a message from such a device's
/// topics (telemetry, events, state) reaches only the services the zone names in <c>ConsumerServices</c>.
/// Topics outside <c>devices/{id}/</c> and devices of unrestricted zones pass after a prefix check and one
/// lookup. The filter installed before it (privacy) is asked after it, so both hold.
/// </summary>
public sealed class ZoneDeliveryFilter(ConfinedTemplates zones, IDeliveryFilter? next) : IDeliveryFilter
{
    private const string DevicePrefix = "devices/";
    private const string DevicePrincipal = "device:";
    private const string ServicePrincipal = "service:";

    private long _refused;

    /// <summary>Deliveries refused since the start.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <inheritdoc />
    public DeliveryDecision Decide(MqttMessage message, IMqttClientPolicy subscriber)
    {
        var decision = Zone(message, subscriber);
        return decision.Verdict == DeliveryVerdict.Refuse || next is null ? decision : next.Decide(message, subscriber);
    }

    private DeliveryDecision Zone(MqttMessage message, IMqttClientPolicy subscriber)
    {
        var topic = message.Topic.AsSpan();
        if (!topic.StartsWith(DevicePrefix, StringComparison.Ordinal))
        {
            return DeliveryDecision.Unchanged;
        }

        var rest = topic[DevicePrefix.Length..];
        var slash = rest.IndexOf('/');
        var deviceId = slash < 0 ? rest : rest[..slash];
        if (zones.RestrictedZoneOf(deviceId) is not { } rule)
        {
            return DeliveryDecision.Unchanged;
        }

        var principal = subscriber.Principal.AsSpan();
        if (principal.StartsWith(DevicePrincipal, StringComparison.Ordinal) && principal[DevicePrincipal.Length..].SequenceEqual(deviceId))
        {
            // To the device: only the node itself, the device's own messages, or a command service of its zone.
            return message.Publisher is null || message.Publisher == subscriber.Principal || Named(rule.CommandServices, message.Publisher)
                ? DeliveryDecision.Unchanged
                : Refuse("zone:command-service-not-allowed");
        }

        return principal.StartsWith(ServicePrincipal, StringComparison.Ordinal) && Named(rule.ConsumerServices, subscriber.Principal)
            ? DeliveryDecision.Unchanged
            : Refuse("zone:consumer-not-allowed");
    }

    private static bool Named(IReadOnlyList<string> services, string principal)
    {
        if (!principal.StartsWith(ServicePrincipal, StringComparison.Ordinal))
        {
            return false;
        }

        var name = principal.AsSpan(ServicePrincipal.Length);
        foreach (var service in services)
        {
            if (name.SequenceEqual(service))
            {
                return true;
            }
        }

        return false;
    }

    private DeliveryDecision Refuse(string reason)
    {
        Interlocked.Increment(ref _refused);
        return DeliveryDecision.Refuse(reason);
    }
}
