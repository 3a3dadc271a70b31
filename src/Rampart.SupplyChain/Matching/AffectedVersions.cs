using Rampart.SupplyChain.Versions;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain.Matching;

/// <summary>Whether a version is in an affected entry, for OSV and CVE JSON 5 entries.</summary>
internal static class AffectedVersions
{
    /// <summary>
    /// OSV schema §"Evaluation": listed <c>versions</c> first (also as tags: <c>curl-8_3_0</c> reads as 8.3.0);
    /// then each SEMVER/ECOSYSTEM range, its events sorted by version and walked (introduced opens,
    /// fixed closes at, last_affected closes after). A GIT range names commits, which cannot be placed
    /// without the repository's history: a version it may cover is Unknown, never NotAffected.
    /// </summary>
    public static (MatchStatus Status, string Reason, string? FixedIn) Osv(AffectedPackage entry, string version, IVersionScheme scheme)
    {
        foreach (var listed in entry.Versions)
        {
            if (listed == version || scheme.Compare(Tag(listed, entry.Name), version) == 0)
            {
                return (MatchStatus.Affected, $"{version} is listed as affected", FixedOf(entry));
            }
        }

        var git = false;
        foreach (var range in entry.Ranges)
        {
            if (range.Type == "GIT")
            {
                git = true;
                continue;
            }

            var rangeScheme = range.Type == "SEMVER" ? SemverScheme.Instance : scheme;
            switch (InRange(range, version, rangeScheme))
            {
                case true:
                    return (MatchStatus.Affected, $"{version} is in a {range.Type} range", FixedOf(entry));
                case null:
                    return (MatchStatus.Unknown, $"{version} cannot be compared with a {range.Type} range ({rangeScheme.Name})", FixedOf(entry));
            }
        }

        return git
            ? (MatchStatus.Unknown, "the record gives GIT commit ranges only; without the repository's history the version cannot be placed", null)
            : (MatchStatus.NotAffected, string.Empty, null);
    }

    /// <summary>
    /// CVE Record Format 5 <c>versions[]</c>: an entry covers one version, or a range from <c>version</c>
    /// up to <c>lessThan</c>/<c>lessThanOrEqual</c>. An "unaffected" entry that covers the version wins,
    /// then an "affected" one, then "unknown"; otherwise <c>defaultStatus</c>, absent meaning unaffected
    /// (docs/supply-chain.md says why). A range whose lower bound is not below its upper bound (curl's
    /// CNA writes <c>version: 8.4.0, lessThan: 8.4.0</c> for "before 8.4.0") is read as unbounded below.
    /// An entry version written with the product's name (<c>dnsmasq 2.83</c>) is read without it.
    /// </summary>
    public static (MatchStatus Status, string Reason, string? FixedIn) Cve(AffectedPackage entry, string version)
    {
        var covered = new Dictionary<string, CveVersion>(StringComparer.Ordinal);
        var uncomparable = false;
        foreach (var item in entry.CveVersions)
        {
            if (item.VersionType == "git")
            {
                uncomparable = true;
                continue;
            }

            switch (Covers(item, version, entry.Product ?? entry.Name))
            {
                case true:
                    covered.TryAdd(item.Status, item);
                    break;
                case null:
                    uncomparable = true;
                    break;
            }
        }

        var fixedIn = entry.CveVersions.FirstOrDefault(v => v.Status == "affected" && v.LessThan is not null and not "*")?.LessThan;
        if (covered.ContainsKey("unaffected"))
        {
            return (MatchStatus.NotAffected, string.Empty, null);
        }

        if (covered.TryGetValue("affected", out var hit))
        {
            return (MatchStatus.Affected, $"{version} is in {Describe(hit)}", fixedIn);
        }

        if (covered.ContainsKey("unknown") || uncomparable)
        {
            return (MatchStatus.Unknown, $"{version} cannot be compared with the record's versions", fixedIn);
        }

        return entry.DefaultStatus switch
        {
            "affected" => (MatchStatus.Affected, $"{version} is not listed and the record's defaultStatus is affected", fixedIn),
            "unknown" => (MatchStatus.Unknown, $"{version} is not listed and the record's defaultStatus is unknown", fixedIn),
            _ => (MatchStatus.NotAffected, string.Empty, null),
        };
    }

    private static bool? InRange(OsvRange range, string version, IVersionScheme scheme)
    {
        // "0" is before every version; events compare by their version, introduced first on a tie.
        var events = new List<OsvEvent>(range.Events);
        int? Order(OsvEvent a, OsvEvent b) => a.Version == "0" ? (b.Version == "0" ? 0 : -1) : b.Version == "0" ? 1 : scheme.Compare(a.Version, b.Version);
        foreach (var e in events)
        {
            if (e.Version != "0" && scheme.Compare(e.Version, e.Version) is null)
            {
                return null;
            }
        }

        events.Sort((a, b) => Order(a, b) is { } order and not 0 ? order : (a.Kind == "introduced" ? 0 : 1) - (b.Kind == "introduced" ? 0 : 1));
        var affected = false;
        foreach (var e in events)
        {
            var compared = e.Version == "0" ? 1 : scheme.Compare(version, e.Version);
            if (compared is not { } c)
            {
                return null;
            }

            switch (e.Kind)
            {
                case "introduced" when c >= 0:
                    affected = true;
                    break;
                case "fixed" or "limit" when c >= 0:
                    affected = false;
                    break;
                case "last_affected" when c > 0:
                    affected = false;
                    break;
            }
        }

        return affected;
    }

    private static bool? Covers(CveVersion item, string version, string? product)
    {
        var scheme = VersionSchemes.ForVersionType(item.VersionType);
        var lower = Strip(item.Version, product);
        var upper = item.LessThan ?? item.LessThanOrEqual;
        if (upper is null)
        {
            return lower is "*" or "n/a" or "" ? null : scheme.Compare(version, lower) is { } equal ? equal == 0 : null;
        }

        if (upper != "*")
        {
            if (scheme.Compare(version, Strip(upper, product)) is not { } toUpper)
            {
                return null;
            }

            if (item.LessThan is not null ? toUpper >= 0 : toUpper > 0)
            {
                return false;
            }
        }

        var unbounded = lower is "0" or "*" or "n/a" or "" || (upper != "*" && scheme.Compare(lower, Strip(upper, product)) >= 0);
        return unbounded ? true : scheme.Compare(version, lower) is { } fromLower ? fromLower >= 0 : null;
    }

    private static string Strip(string version, string? product) =>
        product is not null && version.StartsWith(product + " ", StringComparison.OrdinalIgnoreCase) ? version[(product.Length + 1)..].Trim() : version.Trim();

    // OSS-Fuzz lists git tags: "curl-8_3_0", "v2.1.0", "OpenSSL_1_1_1k" read as versions.
    private static string Tag(string tag, string? name)
    {
        var text = tag;
        if (name is not null && text.StartsWith(name, StringComparison.OrdinalIgnoreCase) && text.Length > name.Length && text[name.Length] is '-' or '_')
        {
            text = text[(name.Length + 1)..];
        }

        if (text.Length > 1 && text[0] is 'v' or 'V' && char.IsAsciiDigit(text[1]))
        {
            text = text[1..];
        }

        return text.Replace('_', '.');
    }

    private static string? FixedOf(AffectedPackage entry) =>
        entry.Ranges.Where(r => r.Type != "GIT").SelectMany(r => r.Events).FirstOrDefault(e => e.Kind == "fixed")?.Version;

    private static string Describe(CveVersion item) =>
        item.LessThan is not null && (item.Version is "0" or "*" or "n/a" || item.Version == item.LessThan) ? $"the range below {item.LessThan}"
        : item.LessThan is not null ? $"the range {item.Version} to below {item.LessThan}"
        : item.LessThanOrEqual is not null ? $"the range {item.Version} to {item.LessThanOrEqual}"
        : $"the listed version {item.Version}";
}
