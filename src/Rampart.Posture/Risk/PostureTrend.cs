using System.Globalization;

namespace Rampart.Posture.Risk;

/// <summary>
/// The fleet's posture over time (issue 18, item 6): one point per UTC day that had an audit run (the
/// day's last snapshot; the scheduled audit runs daily), oldest first, and the change from the first
/// point to the last.
/// </summary>
public sealed record PostureTrend(DateTimeOffset Since, IReadOnlyList<PostureSnapshot> Days, TrendChange? Change)
{
    /// <summary>Most days one trend covers.</summary>
    public const int MaxDays = 366;

    /// <summary>The daily points of <paramref name="snapshots"/> (oldest first, as the store returns them).</summary>
    public static PostureTrend Of(DateTimeOffset since, IReadOnlyList<PostureSnapshot> snapshots)
    {
        var days = snapshots.GroupBy(s => DateOnly.FromDateTime(s.At.UtcDateTime)).OrderBy(g => g.Key).Select(g => g.MaxBy(s => s.At)!).ToArray();
        return new PostureTrend(since, days, days.Length < 2 ? null : TrendChange.Between(days[0], days[^1]));
    }
}

/// <summary>How the fleet's posture moved between two snapshots: risk, findings, and compliance per standard (percentage points).</summary>
public sealed record TrendChange(double MeanRisk, int Findings, IReadOnlyDictionary<string, double> CompliancePoints)
{
    public static TrendChange Between(PostureSnapshot first, PostureSnapshot last) => new(
        Math.Round(last.MeanRisk - first.MeanRisk, 2),
        last.Findings - first.Findings,
        last.Compliance.ToDictionary(c => c.Key, c => Math.Round((c.Value - first.Compliance.GetValueOrDefault(c.Key)) * 100, 1), StringComparer.Ordinal));

    /// <summary>The change in words: <c>mean risk -3.5, findings +1, etsi-en-303-645 +2.0 pt</c>.</summary>
    public override string ToString() =>
        string.Join(", ", new[] { $"mean risk {Signed(MeanRisk)}", $"findings {Signed(Findings)}" }
            .Concat(CompliancePoints.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {Signed(c.Value)} pt")));

    private static string Signed(double value) => (value > 0 ? "+" : string.Empty) + value.ToString("0.##", CultureInfo.InvariantCulture);
}
