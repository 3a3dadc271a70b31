namespace Rampart.SupplyChain.Vulnerabilities;

/// <summary>Qualitative severity, CVSS v3.1 §5 / v4.0 §"Qualitative Severity Rating Scale" (None 0.0, Low 0.1–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0).</summary>
public enum Severity
{
    None,
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>Reading and naming severities.</summary>
public static class Severities
{
    /// <summary>The rating of a CVSS base score.</summary>
    public static Severity OfScore(double score) => score switch
    {
        <= 0 => Severity.None,
        < 4.0 => Severity.Low,
        < 7.0 => Severity.Medium,
        < 9.0 => Severity.High,
        _ => Severity.Critical,
    };

    /// <summary>A severity word (LOW, Moderate, important, …); null when it is none we know.</summary>
    public static Severity? Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "none" => Severity.None,
        "low" => Severity.Low,
        "medium" or "moderate" => Severity.Medium,
        "high" or "important" => Severity.High,
        "critical" => Severity.Critical,
        _ => null,
    };

    /// <summary>The lower-case name: <c>high</c>.</summary>
    public static string Name(this Severity severity) => severity.ToString().ToLowerInvariant();
}
