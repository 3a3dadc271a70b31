namespace Rampart.Mqtt.Broker;

/// <summary>
/// Limits of one broker. Every queue and table a client can grow has a bound here; the defaults
/// suit a fleet of small devices (docs/mqtt.md lists what happens at each bound).
/// </summary>
public sealed class BrokerOptions
{
    /// <summary>Largest packet accepted from a client, fixed header included (5.0 §3.2.2.3.6 Maximum Packet Size in CONNACK).</summary>
    public uint MaximumPacketSize { get; set; } = 256 * 1024;

    /// <summary>QoS 2 publishes a client may have unreleased at once (5.0 §3.2.2.3.3 Receive Maximum in CONNACK).</summary>
    public ushort ReceiveMaximum { get; set; } = 100;

    /// <summary>QoS 1/2 messages in flight to a client at once; lowered to the client's own Receive Maximum.</summary>
    public ushort MaximumInflight { get; set; } = 100;

    /// <summary>QoS 1/2 messages held for a session beyond its in-flight window (online or offline); newer ones are dropped.</summary>
    public int MaximumQueuedMessages { get; set; } = 1000;

    /// <summary>QoS 0 messages waiting in a connection's outbound queue; more are dropped (the reader is too slow).</summary>
    public int MaximumOutboundQueue { get; set; } = 1000;

    /// <summary>Subscriptions one session may hold.</summary>
    public int MaximumSubscriptionsPerClient { get; set; } = 100;

    /// <summary>Longest topic name or filter in UTF-16 characters.</summary>
    public int MaximumTopicLength { get; set; } = 256;

    /// <summary>Most levels in a topic name or filter.</summary>
    public int MaximumTopicLevels { get; set; } = 16;

    /// <summary>Topic aliases a client may set (5.0 §3.2.2.3.8).</summary>
    public ushort TopicAliasMaximum { get; set; } = 16;

    /// <summary>
    /// Most topic aliases the broker sets on one connection's outgoing PUBLISH (5.0 §3.3.2.3.4), within
    /// the Topic Alias Maximum the client announced; 0 sends full topics always. Bounds what each
    /// connection remembers (this many topics).
    /// </summary>
    public ushort OutgoingTopicAliasMaximum { get; set; } = 16;

    /// <summary>Longest session expiry granted; a 3.1.1 persistent session also ends this long after its disconnect.</summary>
    public TimeSpan MaximumSessionExpiry { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Largest keep-alive granted (5.0 Server Keep Alive); a client asking for 0 (none) gets this.</summary>
    public ushort MaximumKeepAliveSeconds { get; set; } = 600;

    /// <summary>Time allowed between the transport opening and a CONNECT arriving.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retained messages held across all topics; a new topic beyond this is not retained.</summary>
    public int MaximumRetainedMessages { get; set; } = 100_000;

    /// <summary>
    /// Routed messages kept for reuse, with their payload buffers (at most 8 MiB of them): a PUBLISH
    /// routed in steady state allocates nothing (0 turns pooling off).
    /// </summary>
    public int MessagePoolSize { get; set; } = 16_384;

    /// <summary>Checks the limits; returns the first problem or null.</summary>
    public string? Problem() =>
        MaximumPacketSize < 128 ? "MaximumPacketSize must be at least 128 bytes"
        : MaximumPacketSize > 268_435_455 ? "MaximumPacketSize must be at most 268435455 (the protocol's limit)"
        : ReceiveMaximum == 0 ? "ReceiveMaximum must be at least 1"
        : MaximumInflight == 0 ? "MaximumInflight must be at least 1"
        : MaximumQueuedMessages < 0 ? "MaximumQueuedMessages must not be negative"
        : MaximumOutboundQueue < 1 ? "MaximumOutboundQueue must be at least 1"
        : MaximumSubscriptionsPerClient < 1 ? "MaximumSubscriptionsPerClient must be at least 1"
        : MaximumTopicLength is < 1 or > 65_535 ? "MaximumTopicLength must be between 1 and 65535"
        : MaximumTopicLevels < 1 ? "MaximumTopicLevels must be at least 1"
        : MaximumSessionExpiry < TimeSpan.Zero ? "MaximumSessionExpiry must not be negative"
        : ConnectTimeout <= TimeSpan.Zero ? "ConnectTimeout must be positive"
        : MaximumRetainedMessages < 0 ? "MaximumRetainedMessages must not be negative"
        : MessagePoolSize < 0 ? "MessagePoolSize must not be negative"
        : null;
}
