using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain.Matching;

/// <summary>Whether a component's version is in a record's affected versions.</summary>
public enum MatchStatus
{
    /// <summary>Not in any affected range (never reported as a finding).</summary>
    NotAffected,

    /// <summary>In an affected range or listed version.</summary>
    Affected,

    /// <summary>The record names the package but its versions cannot be compared (a GIT range, an unreadable version): not a pass.</summary>
    Unknown,
}

/// <summary>A record that names a component, with whether (and why) its version is affected, and the first fixed version the record gives.</summary>
public sealed record Finding(Vulnerability Vulnerability, SbomComponent Component, MatchStatus Status, string Reason, string? FixedIn);
