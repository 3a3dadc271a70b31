using Rampart.Updates.Releases;

namespace Rampart.Fleet.Updates;

/// <summary>
/// A check a release must pass before it goes to production (supply chain's release gate, issue 17).
/// Promotion asks every registered gate; none registered, nothing is refused by a gate.
/// </summary>
public interface IReleasePromotionGate
{
    /// <summary>Why the release may not go to production; empty when it may.</summary>
    Task<IReadOnlyList<string>> RefusalsAsync(Release release, CancellationToken cancellationToken);
}
