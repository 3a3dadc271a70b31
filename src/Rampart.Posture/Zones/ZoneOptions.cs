namespace Rampart.Posture.Zones;

/// <summary>Zones and segmentation (<c>Rampart:Posture:Zones</c>): each zone's policy and automatic confinement.</summary>
public sealed class ZoneOptions
{
    /// <summary>The zone unsupported, legacy and critically vulnerable devices are confined to.</summary>
    public string ConfinedZone { get; set; } = "confined";

    /// <summary>Zones by name (the inventory's <c>--zone</c>).</summary>
    public Dictionary<string, ZoneDefinition> Zones { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Confine devices whose support has ended (the inventory's date, else the model's).</summary>
    public bool ConfineUnsupported { get; set; } = true;

    /// <summary>Confine devices tagged <see cref="LegacyTag"/>.</summary>
    public bool ConfineLegacy { get; set; } = true;

    /// <summary>The tag that marks a legacy device.</summary>
    public string LegacyTag { get; set; } = "legacy";

    /// <summary>Confine devices whose firmware has a known critical vulnerability (needs a vulnerability source).</summary>
    public bool ConfineCriticalVulnerabilities { get; set; } = true;

    /// <summary>How often automatic confinement looks at the fleet.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// In a cluster (issue 15), how often each node reads every confinement, and the zone and state of each device it
    /// holds a session of, from the shared database, and re-templates what differs: the bound on how long a node that
    /// missed a zone change (cut off from NATS) keeps stale permissions, beside the re-read at each reconnection to NATS.
    /// </summary>
    public TimeSpan ClusterResyncInterval { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<string> Problems()
    {
        if (ClusterResyncInterval < TimeSpan.FromSeconds(1))
        {
            yield return "Posture:Zones:ClusterResyncInterval must be at least one second";
        }

        if (!Fleet.Inventory.DeviceIds.IsValid(ConfinedZone))
        {
            yield return $"Posture:Zones:ConfinedZone must be {Fleet.Inventory.DeviceIds.Rule}";
        }

        if (CheckInterval < TimeSpan.FromSeconds(1))
        {
            yield return "Posture:Zones:CheckInterval must be at least one second";
        }

        foreach (var (name, zone) in Zones)
        {
            foreach (var network in zone.Networks)
            {
                if (!ZoneNetworks.TryParse(network, out _))
                {
                    yield return $"Posture:Zones:Zones:{name}:Networks: '{network}' is not an address or CIDR block";
                }
            }

            if (zone.MessagesPerSecond is <= 0)
            {
                yield return $"Posture:Zones:Zones:{name}:MessagesPerSecond must be positive";
            }
        }
    }

    /// <summary>The immutable policy these options describe (the confined zone always exists, restricted).</summary>
    public ZonePolicy ToPolicy()
    {
        var zones = Zones.ToDictionary(z => z.Key, z => z.Value.ToRule(z.Key), StringComparer.Ordinal);
        if (!zones.TryGetValue(ConfinedZone, out var confined))
        {
            confined = new ZoneRule(ConfinedZone, true, [], [], [], 1);
        }

        zones[ConfinedZone] = confined with { Restricted = true, MessagesPerSecond = confined.MessagesPerSecond ?? 1 };
        return new ZonePolicy(ConfinedZone, zones);
    }
}

/// <summary>One zone's policy.</summary>
public sealed class ZoneDefinition
{
    /// <summary>A restricted zone: only its command services may command its devices; tighter limits.</summary>
    public bool Restricted { get; set; }

    /// <summary>Services (gateway service names) that may command the zone's devices.</summary>
    public List<string> CommandServices { get; set; } = [];

    /// <summary>Services that may consume the zone's telemetry.</summary>
    public List<string> ConsumerServices { get; set; } = [];

    /// <summary>The zone's device networks (addresses or CIDR blocks) for the nftables export.</summary>
    public List<string> Networks { get; set; } = [];

    /// <summary>Messages per second each device of the zone may publish (the gateway default when unset).</summary>
    public double? MessagesPerSecond { get; set; }

    public ZoneRule ToRule(string name) => new(name, Restricted, CommandServices.ToArray(), ConsumerServices.ToArray(), Networks.ToArray(), MessagesPerSecond);
}

/// <summary>A zone's policy as a snapshot.</summary>
public sealed record ZoneRule(string Name, bool Restricted, IReadOnlyList<string> CommandServices, IReadOnlyList<string> ConsumerServices, IReadOnlyList<string> Networks, double? MessagesPerSecond);

/// <summary>The zone policy in force.</summary>
public sealed record ZonePolicy(string ConfinedZone, IReadOnlyDictionary<string, ZoneRule> Zones)
{
    public static ZonePolicy Default { get; } = new ZoneOptions().ToPolicy();

    /// <summary>The zone a device is in: the confined zone while confined, else its inventory zone (null: none).</summary>
    public string? EffectiveZone(string? inventoryZone, bool confined) => confined ? ConfinedZone : inventoryZone;
}
