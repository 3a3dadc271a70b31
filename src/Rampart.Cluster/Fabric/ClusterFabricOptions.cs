using System.Text.RegularExpressions;

namespace Rampart.Cluster.Fabric;

/// <summary>Who this node is on the fabric and which subjects its cluster uses.</summary>
public sealed partial record ClusterFabricOptions
{
    /// <summary>This node's id, carried by everything it publishes so it ignores its own echo.</summary>
    public required string NodeId { get; init; }

    /// <summary>First token of every subject (several clusters, or test runs, can share one NATS).</summary>
    public string Prefix { get; init; } = "rampart";

    /// <summary>Messages waiting to go to NATS; beyond this a message is dropped and counted (core NATS is at-most-once anyway).</summary>
    public int OutboundCapacity { get; init; } = 65_536;

    /// <summary>True: a local message goes to NATS only when another node announced a matching filter; false: every one goes (as before announcements).</summary>
    public bool AnnouncedInterest { get; init; } = true;

    /// <summary>How often each node announces its whole interest (the filters its sessions hold) to the others; a node silent for three intervals is forgotten.</summary>
    public TimeSpan InterestSnapshotInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After start and after every NATS reconnect, how long every local message is forwarded regardless of the
    /// announced interest, while the other nodes answer the sync request with their sets (milliseconds on a healthy NATS).
    /// </summary>
    public TimeSpan InterestWarmUp { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>QoS 1 and 2 messages kept in a JetStream stream (docs/scale-out.md, "Durable QoS 1"); null: core NATS only, at most once across nodes.</summary>
    public DurableStreamOptions? Durable { get; init; }

    /// <summary>What is wrong with these options, or null.</summary>
    public string? Problem() =>
        !Token().IsMatch(NodeId) ? "NodeId: 1 to 64 of A-Z a-z 0-9 _ -"
        : !Token().IsMatch(Prefix) ? "Prefix: 1 to 64 of A-Z a-z 0-9 _ -"
        : OutboundCapacity < 1 ? "OutboundCapacity must be positive"
        : InterestSnapshotInterval < TimeSpan.FromSeconds(1) || InterestSnapshotInterval > TimeSpan.FromMinutes(10) ? "InterestSnapshotInterval: 1 second to 10 minutes"
        : InterestWarmUp < TimeSpan.Zero || InterestWarmUp > TimeSpan.FromMinutes(10) ? "InterestWarmUp: 0 to 10 minutes"
        : Durable?.Problem();

    /// <summary>The JetStream stream of the cluster's QoS 1 and 2 messages (one per prefix).</summary>
    public string StreamName => Prefix + "-mqtt-qos";

    /// <summary>First tokens of the durable copies' subjects (<c>PREFIX.q.m.…</c>, the topic's tokens after them).</summary>
    public string DurablePrefix => Prefix + ".q";

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex Token();
}

/// <summary>How the cluster's JetStream stream of QoS 1 and 2 messages is kept.</summary>
public sealed record DurableStreamOptions
{
    /// <summary>Copies of each message in a NATS cluster (JetStream R1 or R3; 1 for one nats-server).</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>How long a message stays replayable: at least the longest session expiry, so a session offline that long still gets it.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Bytes the stream may hold; beyond it the oldest messages go.</summary>
    public long MaxBytes { get; init; } = 1L << 30;

    /// <summary>
    /// A resumed session replays from its last write minus this: covers messages in transit when it was
    /// written and a difference between the node's and the NATS server's clocks.
    /// </summary>
    public TimeSpan ReplayMargin { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long reading one resumed session's messages of one filter from the stream may take before the replay is given up (and logged).</summary>
    public TimeSpan ReplayTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the node waits for JetStream to store a message before the PUBLISH goes unacknowledged.</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>What is wrong with these options, or null.</summary>
    public string? Problem() =>
        Replicas is < 1 or > 5 ? "JetStreamReplicas: 1 to 5"
        : MaxAge < TimeSpan.FromMinutes(1) ? "JetStreamMaxAge: at least 1 minute"
        : MaxBytes < 1 << 20 ? "JetStreamMaxBytes: at least 1 MiB"
        : ReplayMargin < TimeSpan.Zero || ReplayMargin > TimeSpan.FromMinutes(10) ? "ReplayMargin: 0 to 10 minutes"
        : ReplayTimeout < TimeSpan.FromSeconds(1) || ReplayTimeout > TimeSpan.FromHours(1) ? "ReplayTimeout: 1 second to 1 hour"
        : AckTimeout < TimeSpan.FromMilliseconds(100) || AckTimeout > TimeSpan.FromMinutes(1) ? "JetStreamAckTimeout: 100 ms to 1 minute"
        : null;
}
