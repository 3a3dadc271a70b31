namespace Rampart.SupplyChain.Versions;

/// <summary>
/// Versions of no known scheme: split into runs of digits and of letters (other characters separate
/// runs); digit runs compare as numbers, letter runs ignoring case. Where one version ends and the
/// other goes on, a following number makes the longer one newer (1.2 &lt; 1.2.1) and a following
/// letter run makes it older (1.2rc1 &lt; 1.2, a pre-release). Best effort: docs/supply-chain.md says so.
/// </summary>
public sealed class GenericScheme : IVersionScheme
{
    private static readonly ParsedVersions<IReadOnlyList<(string Text, bool IsNumber)>> Parsed = new(Tokens);

    public static GenericScheme Instance { get; } = new();

    public string Name => "generic";

    public int? Compare(string a, string b)
    {
        var (left, right) = (Parsed.Get(a), Parsed.Get(b));
        if (left.Count == 0 || right.Count == 0)
        {
            return null;
        }

        for (var i = 0; ; i++)
        {
            if (i >= left.Count || i >= right.Count)
            {
                if (left.Count == right.Count)
                {
                    return 0;
                }

                var (longer, sign) = left.Count > right.Count ? (left[i], 1) : (right[i], -1);
                return longer.IsNumber ? sign : -sign;
            }

            var (x, y) = (left[i], right[i]);
            var order = (x.IsNumber, y.IsNumber) switch
            {
                (true, true) => CompareNumbers(x.Text, y.Text),
                (false, false) => string.Compare(x.Text, y.Text, StringComparison.OrdinalIgnoreCase),
                (true, false) => 1,
                (false, true) => -1,
            };
            if (order != 0)
            {
                return Math.Sign(order);
            }
        }
    }

    internal static int CompareNumbers(string x, string y)
    {
        var (a, b) = (x.TrimStart('0'), y.TrimStart('0'));
        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
    }

    private static List<(string Text, bool IsNumber)> Tokens(string version)
    {
        var tokens = new List<(string, bool)>();
        var i = 0;
        while (i < version.Length && tokens.Count < 64)
        {
            if (!char.IsAsciiLetterOrDigit(version[i]))
            {
                i++;
                continue;
            }

            var start = i;
            var digits = char.IsAsciiDigit(version[i]);
            while (i < version.Length && char.IsAsciiLetterOrDigit(version[i]) && char.IsAsciiDigit(version[i]) == digits)
            {
                i++;
            }

            tokens.Add((version[start..i], digits));
        }

        return tokens;
    }
}
