namespace Rampart.SupplyChain.Versions;

/// <summary>
/// dpkg's order (deb-version(7), Debian Policy §5.6.12): <c>[epoch:]upstream[-revision]</c>; epochs
/// compare as numbers, then upstream and revision with dpkg's <c>verrevcmp</c>: alternating non-digit
/// parts compared character by character where <c>~</c> sorts before everything (even the end) and
/// letters before other characters, and digit parts compared as numbers.
/// </summary>
public sealed class DebianScheme : IVersionScheme
{
    private static readonly ParsedVersions<(long Epoch, string Upstream, string Revision)?> Parsed = new(Parse);

    public static DebianScheme Instance { get; } = new();

    public string Name => "dpkg";

    public int? Compare(string a, string b)
    {
        if (Parsed.Get(a) is not { } left || Parsed.Get(b) is not { } right)
        {
            return null;
        }

        var order = left.Epoch.CompareTo(right.Epoch);
        if (order == 0)
        {
            order = VerRevCmp(left.Upstream, right.Upstream);
        }

        if (order == 0)
        {
            order = VerRevCmp(left.Revision, right.Revision);
        }

        return Math.Sign(order);
    }

    private static (long Epoch, string Upstream, string Revision)? Parse(string version)
    {
        version = version.Trim();
        long epoch = 0;
        var colon = version.IndexOf(':');
        if (colon >= 0)
        {
            if (!long.TryParse(version[..colon], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out epoch))
            {
                return null;
            }

            version = version[(colon + 1)..];
        }

        var dash = version.LastIndexOf('-');
        var (upstream, revision) = dash >= 0 ? (version[..dash], version[(dash + 1)..]) : (version, string.Empty);
        return upstream.Length == 0 || !char.IsAsciiDigit(upstream[0]) && !char.IsAsciiLetter(upstream[0]) ? null : (epoch, upstream, revision);
    }

    // dpkg lib/dpkg/version.c: order(): '~' = -1, end/digit = 0, letter = itself, other = itself + 256.
    private static int Order(char c) => c == '~' ? -1 : char.IsAsciiDigit(c) ? 0 : char.IsAsciiLetter(c) ? c : c + 256;

    private static int VerRevCmp(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            var firstDiff = 0;
            while ((i < a.Length && !char.IsAsciiDigit(a[i])) || (j < b.Length && !char.IsAsciiDigit(b[j])))
            {
                var ac = i < a.Length ? Order(a[i]) : 0;
                var bc = j < b.Length ? Order(b[j]) : 0;
                if (ac != bc)
                {
                    return ac - bc;
                }

                i++;
                j++;
            }

            while (i < a.Length && a[i] == '0')
            {
                i++;
            }

            while (j < b.Length && b[j] == '0')
            {
                j++;
            }

            while (i < a.Length && char.IsAsciiDigit(a[i]) && j < b.Length && char.IsAsciiDigit(b[j]))
            {
                if (firstDiff == 0)
                {
                    firstDiff = a[i] - b[j];
                }

                i++;
                j++;
            }

            if (i < a.Length && char.IsAsciiDigit(a[i]))
            {
                return 1;
            }

            if (j < b.Length && char.IsAsciiDigit(b[j]))
            {
                return -1;
            }

            if (firstDiff != 0)
            {
                return firstDiff;
            }
        }

        return 0;
    }
}
