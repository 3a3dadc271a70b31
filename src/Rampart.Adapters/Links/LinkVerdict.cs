using Rampart.Mqtt.Protocol;

namespace Rampart.Adapters.Links;

/// <summary>How the broker answered one message a front door published for a device.</summary>
public enum LinkOutcome
{
    /// <summary>Routed (PUBACK 0x00 or 0x10, MQTT 5.0 §3.4.2.1).</summary>
    Accepted,

    /// <summary>The device's permissions do not cover the topic (0x87).</summary>
    Forbidden,

    /// <summary>A rate or quota limit was hit (0x96, 0x97).</summary>
    Limited,

    /// <summary>Too large for the broker (0x95) or otherwise refused.</summary>
    Refused,

    /// <summary>The link ended before the answer (revoked, retired, node stopping).</summary>
    Closed,
}

/// <summary>The broker's answer and its reason, as the front door reports it to the device.</summary>
public readonly record struct LinkVerdict(LinkOutcome Outcome, MqttReasonCode Code, string Reason)
{
    /// <summary>The verdict for PUBACK <paramref name="code"/>; the broker sends no reason string, so the reason names who and what.</summary>
    public static LinkVerdict Of(MqttReasonCode code, string? reason, string principal, string topic) => code switch
    {
        MqttReasonCode.Success or MqttReasonCode.NoMatchingSubscribers => new(LinkOutcome.Accepted, code, "accepted"),
        MqttReasonCode.NotAuthorized => new(LinkOutcome.Forbidden, code, reason ?? $"{principal} may not publish to {topic}"),
        MqttReasonCode.MessageRateTooHigh or MqttReasonCode.QuotaExceeded => new(LinkOutcome.Limited, code, reason ?? $"{principal} is over its message or byte rate"),
        _ => new(LinkOutcome.Refused, code, reason ?? $"refused with reason code 0x{(byte)code:X2}"),
    };

    public static LinkVerdict Closed(string reason) => new(LinkOutcome.Closed, MqttReasonCode.UnspecifiedError, reason);
}
