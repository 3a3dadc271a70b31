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

    /// <summary>What is wrong with these options, or null.</summary>
    public string? Problem() =>
        !Token().IsMatch(NodeId) ? "NodeId: 1 to 64 of A-Z a-z 0-9 _ -"
        : !Token().IsMatch(Prefix) ? "Prefix: 1 to 64 of A-Z a-z 0-9 _ -"
        : OutboundCapacity < 1 ? "OutboundCapacity must be positive"
        : null;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex Token();
}
