namespace Rampart.Server.Hosting;

/// <summary>
/// Settings of one node, from (lowest to highest precedence) defaults, <c>appsettings.json</c> in
/// the working directory (section <c>Rampart</c>), <c>RAMPART__…</c> environment variables and
/// command-line options.
/// </summary>
public sealed class NodeOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Rampart";

    /// <summary>Where the node keeps its database, keys and admin socket; created owner-only.</summary>
    public string DataDirectory { get; set; } = "./rampart-data";

    /// <summary>HTTPS listener (EST, TUF, API) as ADDR:PORT; port 0 picks a free one.</summary>
    public string Https { get; set; } = "127.0.0.1:8443";

    /// <summary>MQTT over mutual TLS listener as ADDR:PORT (used by the gateway).</summary>
    public string Mqtt { get; set; } = "127.0.0.1:8883";

    /// <summary>CoAP over DTLS 1.2 listener (UDP) as ADDR:PORT (docs/adapters.md); port 0 picks a free one.</summary>
    public string Coap { get; set; } = "127.0.0.1:5684";

    /// <summary><c>text</c> (one line per event) or <c>json</c> (one JSON object per line).</summary>
    public string LogFormat { get; set; } = "text";

    /// <summary>Extra DNS names and IP addresses for the node's server certificate (beyond localhost, loopback, the host name and the HTTPS address).</summary>
    public List<string> ServerNames { get; set; } = [];

    /// <summary>How long shutdown may take before remaining work is abandoned.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
