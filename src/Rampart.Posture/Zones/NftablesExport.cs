using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rampart.Posture.Zones;

/// <summary>
/// The zone policy as an nftables ruleset for the network around the devices (<c>rampart zones export
/// --format nftables</c>; load it with <c>nft -f</c>). One table <c>inet rampart_zones</c>: an address set per
/// zone and family, and a forward chain where a restricted zone's devices reach only the hub's MQTT and
/// HTTPS ports (and answers to them); other zones are left to the site's own rules. Syntax: nft(8), "SETS", "CHAINS".
/// </summary>
public static class NftablesExport
{
    public const string Table = "rampart_zones";

    /// <param name="hubs">Rampart's addresses the devices connect to (empty: any destination on the hub's ports).</param>
    public static string Render(ZonePolicy policy, IReadOnlyList<IPAddress> hubs, int mqttPort = 8883, int httpsPort = 8443)
    {
        var text = new StringBuilder();
        text.AppendLine("# Rampart zone policy (docs/posture.md). Generated; load with: nft -f FILE");
        text.AppendLine(CultureInfo.InvariantCulture, $"table inet {Table} {{");
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var zone in policy.Zones.Values.OrderBy(z => z.Name, StringComparer.Ordinal))
        {
            var name = SetName(zone.Name, names.Count);
            names[zone.Name] = name;
            foreach (var (family, type) in new[] { (AddressFamily.InterNetwork, "ipv4_addr"), (AddressFamily.InterNetworkV6, "ipv6_addr") })
            {
                var networks = zone.Networks.Select(ZoneNetworks.Parse).Where(n => n.BaseAddress.AddressFamily == family).Select(n => n.ToString()).ToArray();
                text.AppendLine(CultureInfo.InvariantCulture, $"  set {name}_{(family == AddressFamily.InterNetwork ? "v4" : "v6")} {{");
                text.AppendLine(CultureInfo.InvariantCulture, $"    type {type}");
                text.AppendLine("    flags interval");
                if (networks.Length > 0)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"    elements = {{ {string.Join(", ", networks)} }}");
                }

                text.AppendLine("  }");
            }
        }

        text.AppendLine("  chain forward {");
        text.AppendLine("    type filter hook forward priority filter; policy accept;");
        text.AppendLine("    ct state established,related accept");
        var hub4 = hubs.Where(h => h.AddressFamily == AddressFamily.InterNetwork).ToArray();
        var hub6 = hubs.Where(h => h.AddressFamily == AddressFamily.InterNetworkV6).ToArray();
        foreach (var zone in policy.Zones.Values.Where(z => z.Restricted).OrderBy(z => z.Name, StringComparer.Ordinal))
        {
            var name = names[zone.Name];
            text.AppendLine(CultureInfo.InvariantCulture, $"    # {(zone.Name == policy.ConfinedZone ? "confined" : "restricted")} zone {zone.Name}: MQTT over TLS and HTTPS to Rampart only");
            foreach (var (family, set, hub) in new[] { ("ip", name + "_v4", hub4), ("ip6", name + "_v6", hub6) })
            {
                var to = hub.Length > 0 ? $" {family} daddr {{ {string.Join(", ", hub.Select(h => h.ToString()))} }}" : hubs.Count > 0 ? null : string.Empty;
                if (to is not null)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"    {family} saddr @{set}{to} tcp dport {{ {mqttPort}, {httpsPort} }} accept");
                }

                text.AppendLine(CultureInfo.InvariantCulture, $"    {family} saddr @{set} counter drop");
                text.AppendLine(CultureInfo.InvariantCulture, $"    {family} daddr @{set} counter drop");
            }
        }

        text.AppendLine("  }");
        text.AppendLine("}");
        return text.ToString();
    }

    // nft identifiers: letters, digits and '_'; the index keeps two zones that differ only in '.'/'-' apart.
    private static string SetName(string zone, int index)
    {
        var clean = new string(zone.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        return $"zone{index.ToString(CultureInfo.InvariantCulture)}_{clean}";
    }
}
