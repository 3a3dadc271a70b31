using System.Text.Json.Nodes;

namespace Rampart.SupplyChain.Vulnerabilities;

/// <summary>
/// CVE JSON 5 records (CVE Record Format 5.x, <c>dataType: CVE_RECORD</c>): the CNA container's
/// <c>affected[]</c> (vendor, product, packageName, cpes, versions with <c>lessThan</c>/<c>lessThanOrEqual</c>
/// and <c>versionType</c>, <c>defaultStatus</c>), severity from <c>metrics[]</c> of the CNA or an ADP
/// container (cvssV4_0, then cvssV3_1, cvssV3_0 <c>baseScore</c>; a v3 or v4 <c>vectorString</c> without a
/// score is scored here, a v4 one by <see cref="CvssV4"/>). A REJECTED record is kept as withdrawn.
/// </summary>
internal static class CveReader
{
    public static Vulnerability Read(string file, JsonNode root)
    {
        var metadata = root["cveMetadata"];
        var id = metadata.Text("cveId") ?? throw new VulnerabilityFormatException(file, "cveMetadata.cveId", "is required");
        var cna = root["containers"]?["cna"] ?? throw new VulnerabilityFormatException(file, "containers.cna", "is required");
        var affected = new List<AffectedPackage>();
        foreach (var entry in cna.Items("affected"))
        {
            var versions = entry.Items("versions").Select(v => new CveVersion(v.Text("status") ?? "unknown", v.Text("version") ?? "*", v.Text("lessThan"),
                v.Text("lessThanOrEqual"), v.Text("versionType"))).ToArray();
            affected.Add(new AffectedPackage(null, entry.Text("packageName"), null, Known(entry.Text("vendor")), Known(entry.Text("product")),
                entry.Strings("cpes").ToArray(), [], [], versions, entry.Text("defaultStatus")));
        }

        var containers = new[] { cna }.Concat(root["containers"].Items("adp"));
        var summary = cna.Items("descriptions").Select(d => d.Text("value")).FirstOrDefault(d => d is not null);
        return new Vulnerability(id, "cve", [], summary.Limit(1024), metadata.Time("dateUpdated") ?? metadata.Time("datePublished"), Rating(containers),
            affected, metadata.Text("state") == "REJECTED");
    }

    private static string? Known(string? text) => text is null or "n/a" or "N/A" or "" ? null : text;

    private static VulnerabilityRating Rating(IEnumerable<JsonNode> containers)
    {
        VulnerabilityRating? v3 = null;
        foreach (var metric in containers.SelectMany(c => c.Items("metrics")))
        {
            if (metric["cvssV4_0"] is { } v4 && (v4.Number("baseScore") ?? CvssV4.Score(v4.Text("vectorString"))) is { } v4Score)
            {
                return new VulnerabilityRating(v4Score, Severities.OfScore(v4Score), v4.Text("vectorString") ?? "cvssV4_0 baseScore");
            }

            foreach (var name in new[] { "cvssV3_1", "cvssV3_0" })
            {
                if (v3 is null && metric[name] is { } cvss && (cvss.Number("baseScore") ?? CvssV3.BaseScore(cvss.Text("vectorString"))) is { } score)
                {
                    v3 = new VulnerabilityRating(score, Severities.OfScore(score), cvss.Text("vectorString") ?? $"{name} baseScore");
                }
            }
        }

        return v3 ?? VulnerabilityRating.Unscored;
    }
}
