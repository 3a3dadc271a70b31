namespace Rampart.Detection.Profiles;

/// <summary>How a rule compares a metric with its threshold.</summary>
public enum RuleComparison
{
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Equal,
    NotEqual,
}

/// <summary>The operators rules are written with.</summary>
public static class RuleComparisons
{
    private static readonly (string Symbol, RuleComparison Comparison)[] Symbols =
    [
        (">", RuleComparison.Greater), (">=", RuleComparison.GreaterOrEqual), ("<", RuleComparison.Less),
        ("<=", RuleComparison.LessOrEqual), ("==", RuleComparison.Equal), ("!=", RuleComparison.NotEqual),
    ];

    public static bool TryParse(string? symbol, out RuleComparison comparison)
    {
        foreach (var (text, value) in Symbols)
        {
            if (text == symbol)
            {
                comparison = value;
                return true;
            }
        }

        comparison = default;
        return false;
    }

    public static string Symbol(this RuleComparison comparison) => Symbols.First(s => s.Comparison == comparison).Symbol;

    public static bool Holds(this RuleComparison comparison, float value, double threshold) => comparison switch
    {
        RuleComparison.Greater => value > threshold,
        RuleComparison.GreaterOrEqual => value >= threshold,
        RuleComparison.Less => value < threshold,
        RuleComparison.LessOrEqual => value <= threshold,
        RuleComparison.Equal => value == threshold,
        _ => value != threshold,
    };

    public static string Known => string.Join(" ", Symbols.Select(s => s.Symbol));
}
