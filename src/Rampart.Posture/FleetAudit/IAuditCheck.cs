using Rampart.Posture.Evidence;

namespace Rampart.Posture.FleetAudit;

/// <summary>One fleet audit check (after AWS IoT Device Defender's audit checks, adapted to Rampart): small, pure, one per file.</summary>
public interface IAuditCheck
{
    /// <summary>Stable id (<c>device-certificate-expiring</c>), used by suppressions.</summary>
    string Id { get; }

    string Title { get; }

    FindingSeverity Severity { get; }

    /// <summary>What to do about a finding.</summary>
    string Fix { get; }

    CheckOutcome Run(AuditContext context);
}

/// <summary>What a check saw: the non-compliant resources, or why it cannot judge.</summary>
public sealed record CheckOutcome(CheckStatus Status, IReadOnlyList<string> Resources, string Summary)
{
    public static CheckOutcome Of(IEnumerable<string> resources, string what)
    {
        var list = resources.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return new(list.Length == 0 ? CheckStatus.Compliant : CheckStatus.NonCompliant, list, list.Length == 0 ? "none" : $"{list.Length} {what}");
    }

    public static CheckOutcome NotAssessable(string why) => new(CheckStatus.NotAssessable, [], why);
}

/// <summary>The evidence, environment and thresholds of one run.</summary>
public sealed record AuditContext(FleetEvidence Evidence, AuditEnvironment Environment, FleetAuditOptions Options)
{
    public DateTimeOffset Now => Evidence.Now;
}
