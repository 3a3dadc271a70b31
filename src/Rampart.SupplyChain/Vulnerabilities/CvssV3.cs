using System.Globalization;

namespace Rampart.SupplyChain.Vulnerabilities;

/// <summary>
/// The CVSS v3.x base score of a vector string (<c>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</c>),
/// computed as the CVSS v3.1 specification §7.1 defines it, with the metric values of §7.4 and the
/// Roundup function of Appendix A (3.0 vectors are scored with the same formula; 3.1 changed only
/// Roundup's floating-point definition). No maintained .NET CVSS library restores here.
/// </summary>
public static class CvssV3
{
    /// <summary>The base score (0.0–10.0), or null when the vector is not a complete CVSS 3.x base vector.</summary>
    public static double? BaseScore(string? vector)
    {
        if (vector is null || !(vector.StartsWith("CVSS:3.1/", StringComparison.Ordinal) || vector.StartsWith("CVSS:3.0/", StringComparison.Ordinal)))
        {
            return null;
        }

        var metrics = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in vector[9..].Split('/'))
        {
            var colon = part.IndexOf(':');
            if (colon <= 0 || !metrics.TryAdd(part[..colon], part[(colon + 1)..]))
            {
                return null; // §6: each metric at most once
            }
        }

        if (!metrics.TryGetValue("S", out var scope) || scope is not ("U" or "C"))
        {
            return null;
        }

        var changed = scope == "C";
        double? Value(string metric, Func<string, double?> table) => metrics.TryGetValue(metric, out var value) ? table(value) : null;
        var av = Value("AV", v => v switch { "N" => 0.85, "A" => 0.62, "L" => 0.55, "P" => 0.2, _ => null });
        var ac = Value("AC", v => v switch { "L" => 0.77, "H" => 0.44, _ => null });
        var pr = Value("PR", v => v switch { "N" => 0.85, "L" => changed ? 0.68 : 0.62, "H" => changed ? 0.5 : 0.27, _ => null });
        var ui = Value("UI", v => v switch { "N" => 0.85, "R" => 0.62, _ => null });
        Func<string, double?> cia = v => v switch { "H" => 0.56, "L" => 0.22, "N" => 0, _ => null };
        var (c, i, a) = (Value("C", cia), Value("I", cia), Value("A", cia));
        if (av is null || ac is null || pr is null || ui is null || c is null || i is null || a is null)
        {
            return null;
        }

        // §7.1: ISS, Impact (scope-dependent), Exploitability, then the rounded-up sum.
        var iss = 1 - ((1 - c.Value) * (1 - i.Value) * (1 - a.Value));
        var impact = changed ? (7.52 * (iss - 0.029)) - (3.25 * Math.Pow(iss - 0.02, 15)) : 6.42 * iss;
        var exploitability = 8.22 * av.Value * ac.Value * pr.Value * ui.Value;
        if (impact <= 0)
        {
            return 0;
        }

        return Roundup(Math.Min((changed ? 1.08 : 1) * (impact + exploitability), 10));
    }

    /// <summary>Appendix A: the smallest number, to one decimal place, equal to or higher than its input (in integers, to avoid floating-point surprises).</summary>
    public static double Roundup(double input)
    {
        var integer = (long)Math.Round(input * 100000);
        return integer % 10000 == 0 ? integer / 100000.0 : (Math.Floor(integer / 10000.0) + 1) / 10.0;
    }

    /// <summary>The score as text, one decimal (for messages).</summary>
    public static string Format(double score) => score.ToString("0.0", CultureInfo.InvariantCulture);
}
