namespace Rampart.Server.Hosting;

/// <summary>
/// Settings of a node in a cluster (section <c>Rampart:Cluster</c>). Reserved: the NATS fabric
/// between nodes (issue 15, items 3 and 4) is not built yet, so <see cref="Nats"/> is validated
/// and otherwise unused (docs/scale-out.md, "Next").
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Rampart:Cluster";

    /// <summary>NATS server URLs, comma separated (<c>nats://host:4222</c> or <c>tls://host:4222</c>); none for a single node.</summary>
    public string? Nats { get; set; }
}
