using Rampart.SupplyChain.Identifiers;
using Rampart.SupplyChain.Matching;

namespace Rampart.SupplyChain.Vex;

/// <summary>Which statement speaks about a finding: same vulnerability (id or alias) and a product that names the component.</summary>
public static class VexMatching
{
    /// <summary>The last statement (documents are read in order; later ones update earlier ones) about the finding, or null.</summary>
    public static VexStatement? For(Finding finding, IReadOnlyList<VexStatement> statements)
    {
        VexStatement? found = null;
        foreach (var statement in statements)
        {
            if (Names(statement.Vulnerability, finding) && (statement.Products.Count == 0 || statement.Products.Any(p => Covers(p, finding))))
            {
                found = statement;
            }
        }

        return found;
    }

    private static bool Names(string id, Finding finding) =>
        string.Equals(id, finding.Vulnerability.Id, StringComparison.OrdinalIgnoreCase)
        || finding.Vulnerability.Aliases.Any(a => string.Equals(a, id, StringComparison.OrdinalIgnoreCase));

    private static bool Covers(string product, Finding finding)
    {
        var component = finding.Component;
        if (product == component.Ref || string.Equals(product, component.Name, StringComparison.OrdinalIgnoreCase) || product == component.Cpe)
        {
            return true;
        }

        // A purl without a version speaks for every version; with one, for that version only.
        if (PackageUrl.TryParse(product) is { } said && PackageUrl.TryParse(component.Purl) is { } has)
        {
            return said.Key == has.Key && (said.Version is null || said.Version == (component.Version ?? has.Version));
        }

        return false;
    }
}
