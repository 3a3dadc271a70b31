using static Rampart.SupplyChain.Vulnerabilities.CvssV4Tables;

namespace Rampart.SupplyChain.Vulnerabilities;

/// <summary>
/// The CVSS v4.0 score of a vector string (<c>CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N</c>),
/// as the CVSS v4.0 specification §8 defines it: the vector's MacroVector (equivalence classes EQ1–EQ6,
/// §8.1) gives the score of its highest-severity vectors (<see cref="CvssV4Tables"/>); the vector's
/// severity distance from those, as a proportion of each class's depth, moves the score towards the next
/// lower MacroVector, averaged over the classes that have one (§8.2), rounded to one decimal. Threat and
/// environmental metrics present are applied (the result is then CVSS-BT/BTE, as §2 names it); unset
/// E counts as Attacked and CR/IR/AR as High, the worst case the specification prescribes.
/// </summary>
public static class CvssV4
{
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["AV"] = ["N", "A", "L", "P"], ["AC"] = ["L", "H"], ["AT"] = ["N", "P"], ["PR"] = ["N", "L", "H"], ["UI"] = ["N", "P", "A"],
        ["VC"] = ["H", "L", "N"], ["VI"] = ["H", "L", "N"], ["VA"] = ["H", "L", "N"], ["SC"] = ["H", "L", "N"], ["SI"] = ["H", "L", "N"], ["SA"] = ["H", "L", "N"],
        ["E"] = ["X", "A", "P", "U"], ["CR"] = ["X", "H", "M", "L"], ["IR"] = ["X", "H", "M", "L"], ["AR"] = ["X", "H", "M", "L"],
        ["MAV"] = ["X", "N", "A", "L", "P"], ["MAC"] = ["X", "L", "H"], ["MAT"] = ["X", "N", "P"], ["MPR"] = ["X", "N", "L", "H"], ["MUI"] = ["X", "N", "P", "A"],
        ["MVC"] = ["X", "H", "L", "N"], ["MVI"] = ["X", "H", "L", "N"], ["MVA"] = ["X", "H", "L", "N"], ["MSC"] = ["X", "H", "L", "N"],
        ["MSI"] = ["X", "S", "H", "L", "N"], ["MSA"] = ["X", "S", "H", "L", "N"],
        ["S"] = ["X", "N", "P"], ["AU"] = ["X", "N", "Y"], ["R"] = ["X", "A", "U", "I"], ["V"] = ["X", "D", "C"], ["RE"] = ["X", "L", "M", "H"],
        ["U"] = ["X", "Clear", "Green", "Amber", "Red"],
    };

    private static readonly string[] Mandatory = ["AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"];

    // §8.2: each metric value's severity level, in steps of 0.1 from the most severe.
    private static readonly Dictionary<string, Dictionary<string, double>> Levels = new(StringComparer.Ordinal)
    {
        ["AV"] = new() { ["N"] = 0.0, ["A"] = 0.1, ["L"] = 0.2, ["P"] = 0.3 },
        ["PR"] = new() { ["N"] = 0.0, ["L"] = 0.1, ["H"] = 0.2 },
        ["UI"] = new() { ["N"] = 0.0, ["P"] = 0.1, ["A"] = 0.2 },
        ["AC"] = new() { ["L"] = 0.0, ["H"] = 0.1 },
        ["AT"] = new() { ["N"] = 0.0, ["P"] = 0.1 },
        ["VC"] = new() { ["H"] = 0.0, ["L"] = 0.1, ["N"] = 0.2 },
        ["VI"] = new() { ["H"] = 0.0, ["L"] = 0.1, ["N"] = 0.2 },
        ["VA"] = new() { ["H"] = 0.0, ["L"] = 0.1, ["N"] = 0.2 },
        ["SC"] = new() { ["H"] = 0.1, ["L"] = 0.2, ["N"] = 0.3 },
        ["SI"] = new() { ["S"] = 0.0, ["H"] = 0.1, ["L"] = 0.2, ["N"] = 0.3 },
        ["SA"] = new() { ["S"] = 0.0, ["H"] = 0.1, ["L"] = 0.2, ["N"] = 0.3 },
        ["CR"] = new() { ["H"] = 0.0, ["M"] = 0.1, ["L"] = 0.2 },
        ["IR"] = new() { ["H"] = 0.0, ["M"] = 0.1, ["L"] = 0.2 },
        ["AR"] = new() { ["H"] = 0.0, ["M"] = 0.1, ["L"] = 0.2 },
    };

    /// <summary>The score (0.0–10.0), or null when the vector is not a well-formed CVSS 4.0 vector (a metric missing, repeated, unknown or out of range).</summary>
    public static double? Score(string? vector)
    {
        if (vector is null || vector.Length > 512 || !vector.StartsWith("CVSS:4.0/", StringComparison.Ordinal))
        {
            return null;
        }

        var metrics = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in vector[9..].Split('/'))
        {
            var colon = part.IndexOf(':');
            if (colon <= 0 || !Allowed.TryGetValue(part[..colon], out var values) || !values.Contains(part[(colon + 1)..]) || !metrics.TryAdd(part[..colon], part[(colon + 1)..]))
            {
                return null; // §7: each metric once, with one of its values
            }
        }

        return Mandatory.All(metrics.ContainsKey) ? Score(new Effective(metrics)) : null;
    }

    private static double Score(Effective m)
    {
        // §8.2: no impact on the vulnerable or subsequent systems scores 0.
        if (new[] { "VC", "VI", "VA", "SC", "SI", "SA" }.All(metric => m[metric] == "N"))
        {
            return 0.0;
        }

        var eq = MacroVector(m);
        var macro = string.Concat(eq);
        var value = MacroVectorScores[macro];

        // The next lower MacroVector of each class (NaN where there is none); EQ3 and EQ6 move together.
        double Lower(int index) => Next(eq, (index, 1));
        var lowerEq1 = Lower(0);
        var lowerEq2 = Lower(1);
        var lowerEq3Eq6 = (eq[2], eq[5]) switch
        {
            // 00 moves to 01 or 10: the higher of the two (as the reference calculator compares them, NaN never higher).
            (0, 0) => Next(eq, (5, 1)) is var left && Next(eq, (2, 1)) is var right && left > right ? left : right,
            (1, 1) or (0, 1) => Next(eq, (2, 1)),
            (1, 0) => Next(eq, (5, 1)),
            _ => Next(eq, (2, 1), (5, 1)),
        };
        var lowerEq4 = Lower(3);
        var lowerEq5 = Lower(4);

        // The first highest-severity vector of the MacroVector the vector does not exceed in any metric.
        Dictionary<string, double> distance = [];
        foreach (var max in Composed(eq))
        {
            distance = Levels.Keys.ToDictionary(metric => metric, metric => Levels[metric][m[metric]] - Levels[metric][ValueIn(max, metric)], StringComparer.Ordinal);
            if (distance.Values.All(d => d >= 0))
            {
                break;
            }
        }

        var current = new[]
        {
            distance["AV"] + distance["PR"] + distance["UI"],
            distance["AC"] + distance["AT"],
            distance["VC"] + distance["VI"] + distance["VA"] + distance["CR"] + distance["IR"] + distance["AR"],
            distance["SC"] + distance["SI"] + distance["SA"],
        };
        const double step = 0.1;
        var depths = new[] { Eq1Depth[eq[0]] * step, Eq2Depth[eq[1]] * step, Eq3Eq6Depth[eq[2]][eq[5]] * step, Eq4Depth[eq[3]] * step };
        var lowers = new[] { lowerEq1, lowerEq2, lowerEq3Eq6, lowerEq4 };
        var existing = 0;
        var sum = 0.0;
        for (var i = 0; i < 4; i++)
        {
            var available = value - lowers[i];
            if (!double.IsNaN(available))
            {
                existing++;
                sum += available * (current[i] / depths[i]);
            }
        }

        // EQ5 has no distance within a class: it counts in the mean with a proportion of 0.
        if (!double.IsNaN(value - lowerEq5))
        {
            existing++;
        }

        var mean = existing == 0 ? 0 : sum / existing;
        value = Math.Clamp(value - mean, 0.0, 10.0);
        return Math.Round(value * 10, MidpointRounding.AwayFromZero) / 10;
    }

    private static double Next(int[] eq, params (int Index, int By)[] moves)
    {
        var next = (int[])eq.Clone();
        foreach (var (index, by) in moves)
        {
            next[index] += by;
        }

        return MacroVectorScores.TryGetValue(string.Concat(next), out var score) ? score : double.NaN;
    }

    // §8.1, the equivalence classes.
    private static int[] MacroVector(Effective m)
    {
        var (av, pr, ui) = (m["AV"], m["PR"], m["UI"]);
        var eq1 = av == "N" && pr == "N" && ui == "N" ? 0 : (av == "N" || pr == "N" || ui == "N") && av != "P" ? 1 : 2;
        var eq2 = m["AC"] == "L" && m["AT"] == "N" ? 0 : 1;
        var (vc, vi, va) = (m["VC"], m["VI"], m["VA"]);
        var eq3 = vc == "H" && vi == "H" ? 0 : vc == "H" || vi == "H" || va == "H" ? 1 : 2;
        var eq4 = m["MSI"] == "S" || m["MSA"] == "S" ? 0 : m["SC"] == "H" || m["SI"] == "H" || m["SA"] == "H" ? 1 : 2;
        var eq5 = m["E"] switch { "A" => 0, "P" => 1, _ => 2 };
        var eq6 = (m["CR"] == "H" && vc == "H") || (m["IR"] == "H" && vi == "H") || (m["AR"] == "H" && va == "H") ? 0 : 1;
        return [eq1, eq2, eq3, eq4, eq5, eq6];
    }

    private static IEnumerable<string> Composed(int[] eq) =>
        from a in Eq1Maxes[eq[0]]
        from b in Eq2Maxes[eq[1]]
        from c in Eq3Eq6Maxes[eq[2]][eq[5]]
        from d in Eq4Maxes[eq[3]]
        from e in Eq5Maxes[eq[4]]
        select a + b + c + d + e;

    private static string ValueIn(string vector, string metric)
    {
        foreach (var part in vector.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Length > metric.Length && part.StartsWith(metric, StringComparison.Ordinal) && part[metric.Length] == ':')
            {
                return part[(metric.Length + 1)..];
            }
        }

        throw new InvalidOperationException($"no {metric} in {vector}");
    }

    // The value a metric takes: a modified (environmental) value where one is set, else the base value;
    // unset E counts as A (Attacked) and unset CR/IR/AR as H, the worst case (§8.2).
    private sealed class Effective(Dictionary<string, string> metrics)
    {
        public string this[string metric]
        {
            get
            {
                var selected = metrics.GetValueOrDefault(metric, "X");
                if (selected == "X" && metric is "E")
                {
                    return "A";
                }

                if (selected == "X" && metric is "CR" or "IR" or "AR")
                {
                    return "H";
                }

                return metrics.TryGetValue("M" + metric, out var modified) && modified != "X" ? modified : selected;
            }
        }
    }
}
