using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Topics;

namespace Rampart.Adapters.FrontDoors;

/// <summary>The MQTT topics a front door's resources map to (the device permission template's names).</summary>
public static class DeviceTopics
{
    /// <summary>
    /// <c>devices/{id}/telemetry/{suffix}</c>, or a reason the suffix cannot be one: empty levels,
    /// MQTT wildcards (<c>+</c>, <c>#</c>, MQTT 5.0 §4.7.1) and control characters are refused so a
    /// suffix can only name a topic, never widen one.
    /// </summary>
    public static (string? Topic, string? Problem) Telemetry(string deviceId, string? suffix, int maxSuffixLength)
    {
        if (!DeviceIds.CanName(deviceId))
        {
            return (null, $"'{Fleet.Errors.Echo.Of(deviceId)}' is not a device id");
        }

        if (string.IsNullOrEmpty(suffix))
        {
            return (null, "a telemetry name is required after telemetry/");
        }

        if (suffix.Length > maxSuffixLength)
        {
            return (null, $"the telemetry name may have at most {maxSuffixLength} characters");
        }

        foreach (var level in suffix.Split('/'))
        {
            if (level.Length == 0 || level is "." or ".." || level.AsSpan().IndexOfAny("+#") >= 0 || level.Any(char.IsControl))
            {
                return (null, $"'{Fleet.Errors.Echo.Of(suffix)}' is not a telemetry name: levels must be non-empty, not '.' or '..', without '+', '#' or control characters");
            }
        }

        var topic = $"devices/{deviceId}/telemetry/{suffix}";
        return MqttTopics.IsValidTopicName(topic) ? (topic, null) : (null, $"'{Fleet.Errors.Echo.Of(suffix)}' does not make a valid topic name");
    }

    /// <summary>The command filter of a device: <c>devices/{id}/commands/#</c>.</summary>
    public static string Commands(string deviceId) => $"devices/{deviceId}/commands/#";
}
