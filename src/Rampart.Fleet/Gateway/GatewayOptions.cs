using Rampart.Fleet.Permissions;

namespace Rampart.Fleet.Gateway;

/// <summary>
/// The MQTT gateway's settings (configuration section <c>Rampart:Gateway</c>): per-device limits,
/// connection guards and the backend services allowed to connect.
/// </summary>
public sealed class GatewayOptions
{
    /// <summary>Messages a device may publish per second, sustained (token bucket rate).</summary>
    public double DeviceMessagesPerSecond { get; set; } = 100;

    /// <summary>Messages a device may publish in a burst (token bucket capacity).</summary>
    public double DeviceMessageBurst { get; set; } = 200;

    /// <summary>Payload bytes a device may publish per second, sustained.</summary>
    public double DeviceBytesPerSecond { get; set; } = 1024 * 1024;

    /// <summary>Payload bytes a device may publish in a burst.</summary>
    public double DeviceByteBurst { get; set; } = 2 * 1024 * 1024;

    /// <summary>CONNECTs a device may make per minute, sustained; more are refused with 0x9F (5.0 §3.2.2.2 Connection rate exceeded).</summary>
    public double DeviceConnectsPerMinute { get; set; } = 6;

    /// <summary>CONNECTs a device may make in a burst (reconnecting after a network loss).</summary>
    public double DeviceConnectBurst { get; set; } = 10;

    /// <summary>Authorisation denials of one identity within <see cref="LimitWindow"/> after which its connection is closed (0: never).</summary>
    public int DenialsBeforeDisconnect { get; set; } = 20;

    /// <summary>Rate-limit hits of one identity within <see cref="LimitWindow"/> after which its connection is closed (0: never).</summary>
    public int LimitHitsBeforeDisconnect { get; set; } = 1000;

    /// <summary>The window denials and limit hits are counted in, per identity and across its connections.</summary>
    public TimeSpan LimitWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Identities whose limits are remembered across connections; past this the least recently used idle ones are forgotten.</summary>
    public int MaxTrackedIdentities { get; set; } = 100_000;

    /// <summary>Connections the MQTT listener holds open at once, from all sources together; more are closed at once.</summary>
    public int MaxConnections { get; set; } = 20_000;

    /// <summary>Refusals before MQTT (no certificate, foreign CA, caps) logged and stored per second, sustained; more are counted and reported with the next one.</summary>
    public double RefusalsRecordedPerSecond { get; set; } = 20;

    /// <summary>Time allowed for the TLS handshake.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Connections being admitted at once (accepted, TLS handshake and CONNECT not yet decided), from
    /// all sources together. Past it a connection's CONNECT is refused at once with "server busy" (5.0
    /// 0x89, 3.1.1 0x03) without touching the stores, and the device SDK retries after a jittered
    /// backoff: a fleet reconnecting together after a restart is admitted at the handshake rate instead
    /// of piling up timeouts (issue 12, item 6).
    /// </summary>
    public int MaxPendingConnects { get; set; } = 512;

    /// <summary>Connections from one address that may be open without having completed CONNECT.</summary>
    public int MaxUnauthenticatedPerSource { get; set; } = 64;

    /// <summary>Security events recorded per identity per second (all its connections together), sustained; more are counted, not stored.</summary>
    public double EventsPerConnectionPerSecond { get; set; } = 2;

    /// <summary>Backend services by name (the CN of their service certificate).</summary>
    public Dictionary<string, ServiceOptions> Services { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Checks the settings; returns every problem.</summary>
    public IEnumerable<string> Problems()
    {
        if (DeviceMessagesPerSecond <= 0 || DeviceMessageBurst < 1)
        {
            yield return "Gateway: DeviceMessagesPerSecond must be positive and DeviceMessageBurst at least 1";
        }

        if (DeviceBytesPerSecond <= 0 || DeviceByteBurst < 1)
        {
            yield return "Gateway: DeviceBytesPerSecond must be positive and DeviceByteBurst at least 1";
        }

        if (MaxPendingConnects < 1)
        {
            yield return "Gateway: MaxPendingConnects must be at least 1";
        }

        if (DenialsBeforeDisconnect < 0 || LimitHitsBeforeDisconnect < 0 || MaxUnauthenticatedPerSource < 1 || EventsPerConnectionPerSecond <= 0)
        {
            yield return "Gateway: DenialsBeforeDisconnect and LimitHitsBeforeDisconnect must not be negative, MaxUnauthenticatedPerSource and EventsPerConnectionPerSecond must be positive";
        }

        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            yield return "Gateway: HandshakeTimeout must be positive";
        }

        if (DeviceConnectsPerMinute <= 0 || DeviceConnectBurst < 1)
        {
            yield return "Gateway: DeviceConnectsPerMinute must be positive and DeviceConnectBurst at least 1";
        }

        if (LimitWindow <= TimeSpan.Zero || MaxTrackedIdentities < 1 || MaxConnections < 1 || RefusalsRecordedPerSecond <= 0)
        {
            yield return "Gateway: LimitWindow, MaxTrackedIdentities, MaxConnections and RefusalsRecordedPerSecond must be positive";
        }

        // Only entries without a connection are evicted: with room for no idle entry, every CONNECT
        // would scan the cache for one under the eviction lock.
        if (MaxTrackedIdentities <= MaxConnections)
        {
            yield return $"Gateway: MaxTrackedIdentities ({MaxTrackedIdentities}) must exceed MaxConnections ({MaxConnections})";
        }

        // Two services whose client ids overlap could take over (or, before sessions were bound to
        // identities, resume) each other's sessions.
        var patterns = Services.Select(pair => pair.Value.ToPermissions(pair.Key)).ToArray();
        for (var i = 0; i < patterns.Length; i++)
        {
            for (var j = i + 1; j < patterns.Length; j++)
            {
                if (patterns[i].Overlaps(patterns[j]))
                {
                    yield return $"Gateway:Services: the client ids of {patterns[i].Name} ('{patterns[i].ClientIdPattern}') and {patterns[j].Name} ('{patterns[j].ClientIdPattern}') overlap";
                }
            }
        }

        foreach (var (name, service) in Services)
        {
            if (service.ToPermissions(name).Topics.Problem() is { } problem)
            {
                yield return $"Gateway:Services:{name}: {problem}";
            }

            if (string.IsNullOrWhiteSpace(service.ClientIds) || service.ClientIds.IndexOf('*', StringComparison.Ordinal) is var star && star >= 0 && star != service.ClientIds.Length - 1)
            {
                yield return $"Gateway:Services:{name}: ClientIds must be an id or a prefix ending in '*'";
            }

            if (service.AssignClientIds && !service.ClientIds.EndsWith('*'))
            {
                yield return $"Gateway:Services:{name}: AssignClientIds needs ClientIds to be a prefix ending in '*' (the assigned ids are made from it)";
            }
        }
    }

    /// <summary>The services as permission records, for the identity resolver.</summary>
    public IReadOnlyDictionary<string, ServicePermissions> ServicePermissions() =>
        Services.ToDictionary(pair => pair.Key, pair => pair.Value.ToPermissions(pair.Key), StringComparer.Ordinal);
}

/// <summary>One backend service: the client ids it may use and its topic permissions.</summary>
public sealed class ServiceOptions
{
    /// <summary>An exact client id or a prefix ending in <c>*</c> (<c>ingest-*</c>).</summary>
    public string ClientIds { get; set; } = string.Empty;

    public List<string> Publish { get; set; } = [];

    public List<string> Subscribe { get; set; } = [];

    /// <summary>
    /// When set, a CONNECT with an empty client id is accepted and given one made from the prefix
    /// (<c>ingest-</c> and 16 random hex digits), sent back as the Assigned Client Identifier (5.0
    /// §3.2.2.3.7); with a 3.1.1 client only on a clean session (§3.1.3.1). Off by default: a service
    /// names its client id. Devices never get this: a device's client id is its device id.
    /// </summary>
    public bool AssignClientIds { get; set; }

    /// <summary>A fresh client id within the pattern, for <see cref="AssignClientIds"/>.</summary>
    public string NewClientId() => ClientIds[..^1] + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    public ServicePermissions ToPermissions(string name) => new(name, ClientIds, new PermissionTemplate(Publish.ToArray(), Subscribe.ToArray()));
}
