using Rampart.Privacy.Classification;
using Rampart.Privacy.Keys;
using Rampart.Privacy.Minimisation;

namespace Rampart.Privacy.Delivery;

/// <summary>
/// The settings compiled for the delivery path: topic families, services by principal, and which
/// regions each region's subjects' personal data may reach. Immutable; built once at start.
/// Invalid settings (an unknown family in a rule, an unknown region, an unknown lawful basis) throw
/// with a reason that names the setting.
/// </summary>
public sealed class PrivacyPolicy
{
    private readonly Dictionary<string, ServicePolicy> _byPrincipal = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _destinations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _siteRegions = new(StringComparer.Ordinal);
    private readonly HashSet<TopicFamily> _ruled = new(ReferenceEqualityComparer.Instance);

    public PrivacyPolicy(PrivacyOptions options, Pseudonyms pseudonyms)
    {
        var families = TopicFamily.BuiltIn.ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var (name, family) in options.Topics)
        {
            if (string.IsNullOrWhiteSpace(family.Path) || family.Path.Contains('+') || family.Path.Contains('#') || family.Path.StartsWith('/') || family.Path.EndsWith('/'))
            {
                throw new InvalidOperationException($"Rampart:Privacy:Topics:{name}:Path must be topic levels under devices/{{id}}/ without wildcards (e.g. telemetry/location)");
            }

            families[name] = new TopicFamily(name, family.Path, family.Class, family.Purpose);
        }

        Topics = new TopicClassifier(families.Values);
        foreach (var (region, settings) in options.Regions)
        {
            _destinations[region] = [region, .. settings.TransfersTo];
            foreach (var site in settings.Sites)
            {
                if (!_siteRegions.TryAdd(site, region))
                {
                    throw new InvalidOperationException($"site {site} is in two regions ({_siteRegions[site]}, {region}); a site belongs to one region");
                }
            }
        }

        foreach (var (region, settings) in options.Regions)
        {
            foreach (var to in settings.TransfersTo.Where(to => !options.Regions.ContainsKey(to)))
            {
                throw new InvalidOperationException($"Rampart:Privacy:Regions:{region}:TransfersTo names region {to}, which is not configured");
            }
        }

        foreach (var (name, service) in options.Services)
        {
            if (service.Region is { } region && !options.Regions.ContainsKey(region))
            {
                throw new InvalidOperationException($"Rampart:Privacy:Services:{name}:Region is {region}, which is not configured under Rampart:Privacy:Regions");
            }

            foreach (var (purpose, basis) in service.Purposes.Where(p => !ServicePolicy.LawfulBases.Contains(p.Value)))
            {
                throw new InvalidOperationException($"Rampart:Privacy:Services:{name}:Purposes:{purpose} is '{basis}'; one of: {string.Join(", ", ServicePolicy.LawfulBases)}");
            }
        }

        var rules = new Dictionary<string, Dictionary<TopicFamily, Minimiser>>(StringComparer.Ordinal);
        for (var i = 0; i < options.Minimise.Count; i++)
        {
            var rule = options.Minimise[i];
            if (!families.TryGetValue(rule.Topic, out var family))
            {
                throw new InvalidOperationException($"Rampart:Privacy:Minimise:{i}:Topic names topic family '{rule.Topic}', which is not configured (one of: {string.Join(", ", families.Keys)})");
            }

            if (string.IsNullOrWhiteSpace(rule.Service))
            {
                throw new InvalidOperationException($"Rampart:Privacy:Minimise:{i}:Service is required");
            }

            if (rule.Bucket.Any(b => b.Value <= TimeSpan.Zero))
            {
                throw new InvalidOperationException($"Rampart:Privacy:Minimise:{i}:Bucket periods must be positive");
            }

            var minimiser = new Minimiser(rule);
            if (minimiser.RuleCount == 0)
            {
                throw new InvalidOperationException($"Rampart:Privacy:Minimise:{i} has no Drop, Round, Bucket or Pseudonymise field");
            }

            _ruled.Add(family);
            var byFamily = rules.TryGetValue(rule.Service, out var held) ? held : rules[rule.Service] = [];
            if (!byFamily.TryAdd(family, minimiser))
            {
                throw new InvalidOperationException($"Rampart:Privacy:Minimise:{i}: a second rule for topic family {rule.Topic} and service {rule.Service}; merge them");
            }
        }

        foreach (var name in options.Services.Keys.Union(rules.Keys))
        {
            var declared = options.Services.GetValueOrDefault(name);
            _byPrincipal["service:" + name] = new ServicePolicy(
                name, declared?.Region, declared?.Purposes ?? new Dictionary<string, string>(), pseudonyms.ServiceKey(name),
                rules.GetValueOrDefault(name) ?? new Dictionary<TopicFamily, Minimiser>());
        }
    }

    /// <summary>The topic families.</summary>
    public TopicClassifier Topics { get; }

    /// <summary>Every configured region.</summary>
    public IReadOnlyCollection<string> Regions => _destinations.Keys;

    /// <summary>Every service with a declaration or a rule.</summary>
    public IEnumerable<ServicePolicy> Services => _byPrincipal.Values;

    /// <summary>The service whose principal is <paramref name="principal"/> (<c>service:NAME</c>), or null.</summary>
    public ServicePolicy? Service(string principal) => _byPrincipal.TryGetValue(principal, out var service) ? service : null;

    /// <summary>True when some service has minimisation rules for <paramref name="family"/> (a family without any skips the service lookup).</summary>
    public bool HasRules(TopicFamily family) => _ruled.Contains(family);

    /// <summary>The region a site lies in, or null.</summary>
    public string? RegionOfSite(string? site) => site is not null && _siteRegions.TryGetValue(site, out var region) ? region : null;

    /// <summary>True when personal data of a subject in <paramref name="subjectRegion"/> may be delivered to a service in <paramref name="serviceRegion"/> (art. 44: no transfer without a basis).</summary>
    public bool MayTransfer(string subjectRegion, string? serviceRegion) =>
        serviceRegion is not null && _destinations.TryGetValue(subjectRegion, out var allowed) && allowed.Contains(serviceRegion);
}
