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
}
