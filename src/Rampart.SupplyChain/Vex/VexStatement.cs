namespace Rampart.SupplyChain.Vex;

/// <summary>A VEX status (OpenVEX spec §"Status Labels"; CycloneDX <c>analysis.state</c> maps onto them).</summary>
public enum VexStatus
{
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

/// <summary>
/// One statement: the vulnerability (by id or alias), the products it is about (purls, bom-refs or
/// names; none = every component in the statement's scope), its status, and for not_affected the
/// justification (OpenVEX requires one, or an impact statement).
/// </summary>
public sealed record VexStatement(
    string Vulnerability,
    IReadOnlyList<string> Products,
    VexStatus Status,
    string? Justification,
    string? Detail,
    string Source)
{
    /// <summary>Whether it takes the finding out of what is open: not_affected or fixed; affected and under_investigation keep it open.</summary>
    public bool Closes => Status is VexStatus.NotAffected or VexStatus.Fixed;
}

/// <summary>Names of statuses as OpenVEX spells them.</summary>
public static class VexStatuses
{
    public static string Name(this VexStatus status) => status switch
    {
        VexStatus.NotAffected => "not_affected",
        VexStatus.Affected => "affected",
        VexStatus.Fixed => "fixed",
        _ => "under_investigation",
    };

    public static VexStatus? Parse(string? text) => text switch
    {
        "not_affected" => VexStatus.NotAffected,
        "affected" => VexStatus.Affected,
        "fixed" => VexStatus.Fixed,
        "under_investigation" => VexStatus.UnderInvestigation,
        _ => null,
    };
}
