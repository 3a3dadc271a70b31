using Rampart.Mqtt.Broker;

namespace Rampart.Fleet.Gateway;

/// <summary>
/// Who a report on <c>devices/{id}/…</c> (posture, update progress) belongs to: the authenticated
/// publisher, never the id in the topic (threat model, "Identity"). A service may be allowed to
/// publish on <c>devices/+/state</c>, but what it publishes there is not the device's report.
/// </summary>
public static class DeviceReports
{
    /// <summary>
    /// The device a report is attributed to: the id of the device that published it, when that is
    /// also the device the topic names. Null for a report some other principal (a service, the
    /// server, another device) published.
    /// </summary>
    public static string? AttributedDevice(MqttMessage message)
    {
        var topic = message.Topic.AsSpan();
        if (!topic.StartsWith("devices/", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = topic["devices/".Length..];
        var end = rest.IndexOf('/');
        var topicId = end < 0 ? rest : rest[..end];
        return message.Publisher is { } publisher && publisher.AsSpan().StartsWith(ClientIdentity.DevicePrefix, StringComparison.Ordinal)
            && publisher.AsSpan(ClientIdentity.DevicePrefix.Length).SequenceEqual(topicId)
            ? topicId.ToString()
            : null;
    }

    /// <summary>The device id the topic names (for recording a report that was not the device's), or null.</summary>
    public static string? TopicDevice(string topic)
    {
        var parts = topic.Split('/', 3);
        return parts is ["devices", { Length: > 0 } id, ..] ? id : null;
    }
}
