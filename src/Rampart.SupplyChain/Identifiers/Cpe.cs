namespace Rampart.SupplyChain.Identifiers;

/// <summary>
/// The parts of a CPE name matching needs: part, vendor, product and version. Reads the CPE 2.3
/// formatted string (NISTIR 7695 §6.2, <c>cpe:2.3:a:vendor:product:version:…</c>) and the 2.2 URI
/// (§6.1, <c>cpe:/a:vendor:product:version</c>). <c>*</c> (ANY) and <c>-</c> (NA) become null.
/// </summary>
public sealed record Cpe(string Part, string Vendor, string Product, string? Version)
{
    /// <summary>vendor:product, lower case: what a vulnerability's CPE and a component's are matched on.</summary>
    public string Key => $"{Vendor}:{Product}";

    /// <summary>Parses a CPE; null when it is not one.</summary>
    public static Cpe? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 1024)
        {
            return null;
        }

        string[] fields;
        if (text.StartsWith("cpe:2.3:", StringComparison.OrdinalIgnoreCase))
        {
            fields = SplitUnescaped(text[8..]);
        }
        else if (text.StartsWith("cpe:/", StringComparison.OrdinalIgnoreCase))
        {
            fields = text[5..].Split(':');
        }
        else
        {
            return null;
        }

        if (fields.Length < 3 || fields[0].Length != 1 || Value(fields[1]) is not { } vendor || Value(fields[2]) is not { } product)
        {
            return null;
        }

        return new Cpe(fields[0].ToLowerInvariant(), vendor.ToLowerInvariant(), product.ToLowerInvariant(), fields.Length > 3 ? Value(fields[3]) : null);
    }

    private static string? Value(string field)
    {
        if (field is "" or "*" or "-")
        {
            return null;
        }

        // §6.2.2.1: a backslash quotes the next character (e.g. "\." in a version).
        return Uri.UnescapeDataString(field.Replace("\\", string.Empty, StringComparison.Ordinal));
    }

    private static string[] SplitUnescaped(string text)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                current.Append(text[i]).Append(text[++i]);
            }
            else if (text[i] == ':')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(text[i]);
            }
        }

        fields.Add(current.ToString());
        return [.. fields];
    }
}
