namespace Rampart.Server.Hosting;

/// <summary>
/// Settings of a node in a cluster (section <c>Rampart:Cluster</c>): the NATS fabric between nodes
/// (docs/scale-out.md, "Cluster fabric (NATS)"). Without <see cref="Nats"/> the node is alone.
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Rampart:Cluster";

    /// <summary>NATS server URLs, comma separated (<c>nats://host:4222</c> or <c>tls://host:4222</c>); none for a single node.</summary>
    public string? Nats { get; set; }

    /// <summary>This node's id on the fabric (A-Z a-z 0-9 _ -, up to 64); a fresh one per start when unset.</summary>
    public string? NodeId { get; set; }

    /// <summary>First token of every subject the cluster uses; nodes of one cluster share it (default <c>rampart</c>).</summary>
    public string? Prefix { get; set; }

    /// <summary>A NATS credentials file (<c>.creds</c>: user JWT and nkey seed) for production; none on a trusted loopback.</summary>
    public string? CredentialsFile { get; set; }

    /// <summary>
    /// Load balancers that send the PROXY protocol v2 header (comma-separated addresses or CIDR
    /// networks); connections from them must start with one, on the MQTT and HTTPS listeners. Unset: none.
    /// </summary>
    public string? ProxyProtocolFrom { get; set; }

    /// <summary>
    /// Durable QoS 1 and 2 across nodes through a JetStream stream: <c>auto</c> (default: used when the
    /// NATS server has JetStream, else a warning and at-most-once), <c>required</c> (the node does not
    /// start without it), <c>off</c>.
    /// </summary>
    public string? JetStream { get; set; }

    /// <summary>Copies of each message in the stream (a NATS cluster: 3); default 1.</summary>
    public int? JetStreamReplicas { get; set; }

    /// <summary>How long a message stays replayable into a resumed session; default 1 day (the default longest session expiry).</summary>
    public TimeSpan? JetStreamMaxAge { get; set; }

    /// <summary>Bytes the stream may hold, oldest dropped beyond; default 1 GiB.</summary>
    public long? JetStreamMaxBytes { get; set; }

    /// <summary>A resumed session replays from its last write minus this (messages in transit, clock differences); default 5 s.</summary>
    public TimeSpan? ReplayMargin { get; set; }

    /// <summary>
    /// True (default): a node sends to NATS only what another node announced interest in (docs/scale-out.md,
    /// "What crosses nodes"). Set false on every node while upgrading a cluster from a version before interest
    /// announcements: such nodes announce nothing and would otherwise get nothing after the warm-up.
    /// </summary>
    public bool? AnnouncedInterest { get; set; }

    /// <summary>How often a node announces its whole interest; default 30 s (1 s to 10 minutes).</summary>
    public TimeSpan? InterestSnapshotInterval { get; set; }
}
