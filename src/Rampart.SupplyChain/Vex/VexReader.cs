using System.Text.Json;
using System.Text.Json.Nodes;
using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain.Vex;

/// <summary>
/// Reads VEX documents: OpenVEX (openvex.dev spec v0.2.0: <c>@context</c>, <c>statements[]</c> with
/// <c>vulnerability</c>, <c>products</c>, <c>status</c>, <c>justification</c>/<c>impact_statement</c>) and
/// CycloneDX VEX (a BOM, validated against its schema like any SBOM, whose <c>vulnerabilities[]</c>
/// carry <c>analysis.state</c> and <c>affects[].ref</c>; CycloneDX 1.6 §"Vulnerability Exploitability
/// Exchange": exploitable → affected, in_triage → under_investigation, resolved(_with_pedigree) → fixed,
/// not_affected and false_positive → not_affected). A not_affected statement without a justification
/// or impact statement is refused: it would hide a finding without saying why.
/// </summary>
public static class VexReader
{
    /// <summary>Largest VEX document read.</summary>
    public const int MaxBytes = 8 * 1024 * 1024;

    /// <summary>Most statements in one document.</summary>
    public const int MaxStatements = 100_000;

    /// <summary>Reads a document; throws <see cref="SbomException"/> (path and reason) when it is refused.</summary>
    public static IReadOnlyList<VexStatement> Read(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.Length > MaxBytes)
        {
            throw SbomException.Of(string.Empty, $"the VEX document is larger than {MaxBytes / (1024 * 1024)} MiB");
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(bytes.Span, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException exception)
        {
            throw SbomException.Of(string.Empty, $"not JSON (line {exception.LineNumber + 1})");
        }

        if (root is JsonObject json && (json.Text("bomFormat") is not null || json.Text("specVersion") is not null))
        {
            return CycloneDx(bytes, json);
        }

        return root is JsonObject open && (open.Text("@context")?.Contains("openvex", StringComparison.OrdinalIgnoreCase) ?? false)
            ? OpenVex(open)
            : throw SbomException.Of(string.Empty, "not a VEX document: neither OpenVEX (@context openvex.dev) nor CycloneDX (bomFormat)");
    }

    private static List<VexStatement> OpenVex(JsonObject root)
    {
        var statements = new List<VexStatement>();
        var index = 0;
        foreach (var statement in root.Items("statements"))
        {
            var path = $"statements[{index++}]";
            var vulnerability = statement["vulnerability"] is JsonObject v ? v.Text("name") ?? v.Text("@id") : statement.Text("vulnerability");
            var status = VexStatuses.Parse(statement.Text("status"));
            if (vulnerability is null || status is null)
            {
                throw SbomException.Of(path, "needs a vulnerability (name) and a status of not_affected, affected, fixed or under_investigation");
            }

            var products = statement.Items("products").Select(p => p is JsonObject o ? o.Text("@id") : p.GetValueKind() == JsonValueKind.String ? p.ToString() : null)
                .OfType<string>().ToArray();
            var justification = statement.Text("justification");
            var impact = statement.Text("impact_statement");
            statements.Add(Checked(path, new VexStatement(vulnerability, products, status.Value, justification, impact ?? statement.Text("action_statement"), "openvex")));
        }

        return Bounded(statements);
    }

    private static List<VexStatement> CycloneDx(ReadOnlyMemory<byte> bytes, JsonObject root)
    {
        // The BOM itself must be schema-valid (any components it lists are read, not used).
        SbomReader.Read(bytes);
        var statements = new List<VexStatement>();
        var index = 0;
        foreach (var vulnerability in root.Items("vulnerabilities"))
        {
            var path = $"vulnerabilities[{index++}]";
            var analysis = vulnerability["analysis"];
            var state = analysis.Text("state");
            VexStatus? status = state switch
            {
                "not_affected" or "false_positive" => VexStatus.NotAffected,
                "exploitable" => VexStatus.Affected,
                "resolved" or "resolved_with_pedigree" => VexStatus.Fixed,
                "in_triage" => VexStatus.UnderInvestigation,
                _ => null,
            };
            if (vulnerability.Text("id") is not { } id || status is null)
            {
                throw SbomException.Of(path, "needs an id and analysis.state");
            }

            var products = vulnerability.Items("affects").Select(a => a.Text("ref")).OfType<string>().ToArray();
            var justification = analysis.Text("justification") ?? (state == "false_positive" ? "false_positive" : null);
            statements.Add(Checked(path, new VexStatement(id, products, status.Value, justification, analysis.Text("detail"), "cyclonedx")));
        }

        return Bounded(statements);
    }

    private static VexStatement Checked(string path, VexStatement statement) =>
        statement.Status == VexStatus.NotAffected && statement.Justification is null && statement.Detail is null
            ? throw SbomException.Of(path, "not_affected needs a justification or an impact statement (OpenVEX §\"Statement\", CycloneDX analysis.justification)")
            : statement.Vulnerability.Length > Vulnerability.MaxIdLength || statement.Products.Count > 10_000
                ? throw SbomException.Of(path, "a vulnerability id of at most 128 characters and at most 10,000 products")
                : statement with { Detail = statement.Detail.Limit(1024) };

    private static List<VexStatement> Bounded(List<VexStatement> statements) =>
        statements.Count <= MaxStatements ? statements : throw SbomException.Of("statements", $"more than {MaxStatements} statements");
}
