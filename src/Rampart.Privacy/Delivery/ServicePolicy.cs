using Rampart.Privacy.Classification;
using Rampart.Privacy.Minimisation;

namespace Rampart.Privacy.Delivery;

/// <summary>One service as the delivery path sees it: region, purposes, its pseudonym key, and its minimisation rules per topic family.</summary>
public sealed class ServicePolicy(string name, string? region, IReadOnlyDictionary<string, string> purposes, byte[] pseudonymKey, IReadOnlyDictionary<TopicFamily, Minimiser> rules)
{
    /// <summary>The lawful basis that needs the subject's consent (art. 6(1)(a)).</summary>
    public const string ConsentBasis = "consent";

    /// <summary>The lawful bases of art. 6(1), as settings spell them.</summary>
    public static IReadOnlySet<string> LawfulBases { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        ConsentBasis, "contract", "legal-obligation", "vital-interests", "public-task", "legitimate-interests",
    };

    // By reference: families are created once per policy, and a record's hash would hash its strings on every delivery.
    private readonly Dictionary<TopicFamily, Minimiser>? _rules = rules.Count == 0 ? null : new(rules, ReferenceEqualityComparer.Instance);
    private readonly string[] _consentPurposes = [.. purposes.Where(p => p.Value == ConsentBasis).Select(p => p.Key)];
    private readonly bool _otherBasis = purposes.Any(p => p.Value != ConsentBasis);

    public string Name { get; } = name;

    /// <summary>Where it runs; null when it declared none (then it gets no subject's personal data).</summary>
    public string? Region { get; } = region;

    /// <summary>Purpose → lawful basis.</summary>
    public IReadOnlyDictionary<string, string> Purposes { get; } = purposes;

    /// <summary>The key of its pseudonyms.</summary>
    public byte[] PseudonymKey { get; } = pseudonymKey;

    /// <summary>Its rules for <paramref name="family"/>, or null.</summary>
    public Minimiser? RulesFor(TopicFamily family) => _rules is not null && _rules.TryGetValue(family, out var minimiser) ? minimiser : null;

    /// <summary>
    /// True when a subject who consented to <paramref name="consented"/> may have personal data reach
    /// this service: a purpose it declared with a basis other than consent, or one the subject consented to.
    /// </summary>
    public bool MayReceive(IReadOnlySet<string> consented)
    {
        if (_otherBasis)
        {
            return true;
        }

        foreach (var purpose in _consentPurposes)
        {
            if (consented.Contains(purpose))
            {
                return true;
            }
        }

        return false;
    }
}
