using Rampart.Privacy.Classification;

namespace Rampart.Privacy;

/// <summary>Settings under <c>Rampart:Privacy</c> (docs/privacy.md).</summary>
public sealed class PrivacyOptions
{
    /// <summary>Regions by name: the sites in each and the regions personal data of its subjects may go to (art. 44–49).</summary>
    public Dictionary<string, RegionOptions> Regions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Backend services by name (as in <c>Rampart:Gateway:Services</c>): their region and purposes.</summary>
    public Dictionary<string, ServicePrivacyOptions> Services { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Device topic families by name beyond the built-in <c>telemetry</c> (personal), <c>events</c> and
    /// <c>state</c> (operational): the path under <c>devices/{id}/</c> they cover and their class.
    /// </summary>
    public Dictionary<string, TopicFamilyOptions> Topics { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Minimisation rules on the delivery path (art. 5(1)(c)), per topic family and receiving service.</summary>
    public List<MinimisationRuleOptions> Minimise { get; set; } = [];

    /// <summary>Default retention in days per data category (<see cref="Retention.RetentionPolicy.Categories"/>); changed at run time through the API.</summary>
    public Dictionary<string, int> Retention { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The opt-in telemetry archive (§4): families archived, each region's store, bounds.</summary>
    public Archive.ArchiveOptions Archive { get; set; } = new();

    /// <summary>How often the retention job runs.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>At most one cross-border or consent refusal event per subject, service and kind in this window (the rest are counted into the next).</summary>
    public TimeSpan RefusalEventWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// In a cluster, how often a node reloads every subject from the shared store besides on each
    /// reconnection to NATS: a change message lost without the connection dropping (a slow consumer,
    /// a half-open link NATS has not noticed yet) holds at most this long.
    /// </summary>
    public TimeSpan ClusterResyncInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>One region.</summary>
public sealed class RegionOptions
{
    /// <summary>Sites (as in the inventory) that lie in the region.</summary>
    public List<string> Sites { get; set; } = [];

    /// <summary>Other regions its subjects' personal data may be delivered to (an adequacy decision or safeguards, art. 45–46); its own always.</summary>
    public List<string> TransfersTo { get; set; } = [];
}

/// <summary>A service's privacy declaration.</summary>
public sealed class ServicePrivacyOptions
{
    /// <summary>Where the service runs and processes what it receives.</summary>
    public string? Region { get; set; }

    /// <summary>Purposes and the lawful basis of each (art. 6(1)): <c>consent</c>, <c>contract</c>, <c>legal-obligation</c>, <c>vital-interests</c>, <c>public-task</c>, <c>legitimate-interests</c>.</summary>
    public Dictionary<string, string> Purposes { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A topic family.</summary>
public sealed class TopicFamilyOptions
{
    /// <summary>Topic levels under <c>devices/{id}/</c>, e.g. <c>telemetry/location</c>.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>Its class.</summary>
    public DataClass Class { get; set; } = DataClass.Personal;

    /// <summary>Why devices send it.</summary>
    public string Purpose { get; set; } = string.Empty;
}

/// <summary>One minimisation rule.</summary>
public sealed class MinimisationRuleOptions
{
    /// <summary>The topic family it applies to (a name of <see cref="PrivacyOptions.Topics"/> or a built-in one).</summary>
    public string Topic { get; set; } = string.Empty;

    /// <summary>The receiving service.</summary>
    public string Service { get; set; } = string.Empty;

    /// <summary>Top-level JSON fields removed.</summary>
    public List<string> Drop { get; set; } = [];

    /// <summary>Numeric fields rounded to this many decimal places (coordinates: 2 ≈ 1 km).</summary>
    public Dictionary<string, int> Round { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Timestamp fields (Unix seconds or milliseconds, or ISO 8601) floored to this bucket.</summary>
    public Dictionary<string, TimeSpan> Bucket { get; set; } = new(StringComparer.Ordinal);

    /// <summary>String fields replaced by a keyed HMAC pseudonym of this service (stable, different per service).</summary>
    public List<string> Pseudonymise { get; set; } = [];
}
