using System.Text.Json.Nodes;

namespace Rampart.SupplyChain.Vulnerabilities;

/// <summary>
/// OSV records (ossf.github.io/osv-schema, schema 1.6): <c>id</c> and <c>modified</c> are required;
/// <c>affected[]</c> with <c>package</c> (ecosystem, name, purl), <c>ranges[]</c> (SEMVER, ECOSYSTEM,
/// GIT) and <c>versions[]</c>; severity from <c>severity[]</c> (CVSS_V4 vectors scored by
/// <see cref="CvssV4"/>, else CVSS_V3 by <see cref="CvssV3"/>) or, failing that, from the qualitative
/// <c>database_specific</c>/<c>ecosystem_specific</c> <c>severity</c> that OSS-Fuzz and GHSA give.
/// </summary>
internal static class OsvReader
{
    public static Vulnerability Read(string file, JsonNode? root)
    {
        if (root is not JsonObject)
        {
            throw new VulnerabilityFormatException(file, string.Empty, "an OSV record is an object");
        }

        var id = root.Text("id") ?? throw new VulnerabilityFormatException(file, "id", "is required");
        if (root.Time("modified") is not { } modified)
        {
            throw new VulnerabilityFormatException(file, "modified", "is required (RFC 3339 time)");
        }

        var affected = new List<AffectedPackage>();
        var index = 0;
        var qualitative = Severities.Parse(root["database_specific"].Text("severity"));
        foreach (var entry in root.Items("affected"))
        {
            var package = entry["package"];
            var ranges = new List<OsvRange>();
            var rangeIndex = 0;
            foreach (var range in entry.Items("ranges"))
            {
                var type = range.Text("type");
                if (type is not ("SEMVER" or "ECOSYSTEM" or "GIT"))
                {
                    throw new VulnerabilityFormatException(file, $"affected[{index}].ranges[{rangeIndex}].type", "must be SEMVER, ECOSYSTEM or GIT");
                }

                var events = range.Items("events").SelectMany(e => e is JsonObject o ? o.Select(p => (p.Key, Value: p.Value?.ToString())) : [])
                    .Where(e => e.Key is "introduced" or "fixed" or "last_affected" or "limit" && e.Value is not null)
                    .Select(e => new OsvEvent(e.Key, e.Value!)).ToArray();
                ranges.Add(new OsvRange(type, range.Text("repo"), events));
                rangeIndex++;
            }

            qualitative ??= Severities.Parse(entry["ecosystem_specific"].Text("severity")) ?? Severities.Parse(entry["database_specific"].Text("severity"));
            affected.Add(new AffectedPackage(package.Text("ecosystem"), package.Text("name"), package.Text("purl"), null, null, [], ranges,
                entry.Strings("versions").ToArray(), [], null));
            index++;
        }

        return new Vulnerability(id, "osv", root.Strings("aliases").ToArray(), (root.Text("summary") ?? root.Text("details")).Limit(1024), modified,
            Rating(root, qualitative), affected, root.Text("withdrawn") is not null);
    }

    private static VulnerabilityRating Rating(JsonNode root, Severity? qualitative)
    {
        // The newest CVSS version the record scores with: a v4.0 vector (§8 with FIRST's tables), else a v3.x one.
        foreach (var (type, score) in new (string, Func<string?, double?>)[] { ("CVSS_V4", CvssV4.Score), ("CVSS_V3", CvssV3.BaseScore) })
        {
            foreach (var severity in root.Items("severity"))
            {
                if (severity.Text("type") == type && score(severity.Text("score")) is { } value)
                {
                    return new VulnerabilityRating(value, Severities.OfScore(value), severity.Text("score")!);
                }
            }
        }

        return qualitative is { } rated ? new VulnerabilityRating(null, rated, $"record: {rated.Name()}") : VulnerabilityRating.Unscored;
    }
}
