using System.Globalization;
using System.Net.NetworkInformation;

namespace Rampart.Network.Inventory;

/// <summary>
/// MAC vendors from the IEEE registry as Debian's <c>ieee-data</c> ships it (<c>/usr/share/ieee-data/oui.csv</c>:
/// Registry, Assignment, Organization Name, Organization Address). Only MA-L (24-bit) assignments are
/// read; a locally administered address (bit 1 of the first octet, IEEE 802 §8.2) has no vendor.
/// </summary>
public sealed class OuiRegistry
{
    /// <summary>Where Debian's ieee-data puts the MA-L registry.</summary>
    public const string DebianPath = "/usr/share/ieee-data/oui.csv";

    private const int MaxEntries = 200_000;
    private readonly Dictionary<int, string> _vendors;

    private OuiRegistry(Dictionary<int, string> vendors) => _vendors = vendors;

    public static OuiRegistry Empty { get; } = new([]);

    public int Count => _vendors.Count;

    /// <summary>The registry in <paramref name="path"/>; empty (every vendor unknown) when the file is missing.</summary>
    public static OuiRegistry Load(string path)
    {
        if (!File.Exists(path))
        {
            return Empty;
        }

        var vendors = new Dictionary<int, string>();
        foreach (var line in File.ReadLines(path).Skip(1).Take(MaxEntries))
        {
            var fields = Csv(line);
            if (fields.Count >= 3 && fields[0] == "MA-L" && fields[1].Length == 6
                && int.TryParse(fields[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var prefix))
            {
                vendors.TryAdd(prefix, fields[2].Trim());
            }
        }

        return new OuiRegistry(vendors);
    }

    public string? VendorOf(PhysicalAddress? mac)
    {
        var bytes = mac?.GetAddressBytes();
        if (bytes is not { Length: 6 } || (bytes[0] & 0x02) != 0)
        {
            return null;
        }

        return _vendors.GetValueOrDefault((bytes[0] << 16) | (bytes[1] << 8) | bytes[2]);
    }

    // RFC 4180 fields: quoted when they hold commas, "" for a quote.
    private static List<string> Csv(string line)
    {
        var fields = new List<string>(4);
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
