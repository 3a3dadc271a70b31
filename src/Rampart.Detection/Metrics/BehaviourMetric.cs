namespace Rampart.Detection.Metrics;

/// <summary>
/// What is measured per device per window (issue 14, item 1). The cloud-side metrics cover AWS IoT
/// Device Defender's cloud-side set (messages and bytes in/out, message size, authorization failures,
/// connection attempts, disconnects); the device-side ones its device-side set (listening ports,
/// established connections, destinations) plus restarts. The order is the storage order: append only.
/// </summary>
public enum BehaviourMetric
{
    /// <summary>Messages the device published that were admitted.</summary>
    MessagesIn,

    /// <summary>Payload bytes the device published.</summary>
    BytesIn,

    /// <summary>Messages delivered to the device.</summary>
    MessagesOut,

    /// <summary>Payload bytes delivered to the device.</summary>
    BytesOut,

    /// <summary>Largest payload the device published in the window.</summary>
    MaxMessageBytes,

    /// <summary>The 95th percentile of the device's payload sizes (upper bound of a power-of-two bucket).</summary>
    P95MessageBytes,

    /// <summary>Publishes and subscriptions refused by the device's permissions.</summary>
    AuthorizationFailures,

    /// <summary>Messages refused by the rate and byte limits.</summary>
    LimitHits,

    /// <summary>CONNECTs the identity made.</summary>
    ConnectionAttempts,

    /// <summary>Sessions that ended.</summary>
    Disconnects,

    /// <summary>Seconds of the window the device had a session.</summary>
    SessionSeconds,

    /// <summary>Distinct topics the device published to.</summary>
    DistinctTopics,

    /// <summary>Source addresses the device connected from that it never used before.</summary>
    NewSourceAddresses,

    /// <summary>Listening TCP/UDP ports in the last posture report of the window.</summary>
    ListeningPorts,

    /// <summary>Established connections in the last posture report.</summary>
    EstablishedConnections,

    /// <summary>Destination addresses in the last posture report.</summary>
    Destinations,

    /// <summary>Restarts seen in the window (boot counter increments).</summary>
    Reboots,
}

/// <summary>Names of the metrics as rules and evidence spell them (<c>bytes-in</c>).</summary>
public static class BehaviourMetrics
{
    /// <summary>How many metrics a window holds.</summary>
    public const int Count = (int)BehaviourMetric.Reboots + 1;

    private static readonly string[] Names =
    [
        "messages-in", "bytes-in", "messages-out", "bytes-out", "max-message-bytes", "p95-message-bytes", "authorization-failures",
        "limit-hits", "connection-attempts", "disconnects", "session-seconds", "distinct-topics", "new-source-addresses",
        "listening-ports", "established-connections", "destinations", "reboots",
    ];

    /// <summary>Every metric, in storage order.</summary>
    public static IReadOnlyList<BehaviourMetric> All { get; } = Enum.GetValues<BehaviourMetric>();

    /// <summary>The metric's rule name.</summary>
    public static string Name(this BehaviourMetric metric) => Names[(int)metric];

    /// <summary>The metric with this rule name.</summary>
    public static bool TryParse(string name, out BehaviourMetric metric)
    {
        var index = Array.IndexOf(Names, name);
        metric = (BehaviourMetric)Math.Max(index, 0);
        return index >= 0;
    }

    /// <summary>Every rule name, for error messages.</summary>
    public static string Known => string.Join(", ", Names);
}
