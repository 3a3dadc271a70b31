using System.Globalization;
using System.Text.RegularExpressions;

namespace Rampart.SupplyChain.Versions;

/// <summary>
/// Python versions, PEP 440: read with the specification's own regular expression (Appendix B),
/// normalised (§"Normalization": alpha/beta/c/pre/preview spellings, implicit numbers, '-' post
/// releases) and ordered as §"Summary of permitted suffixes and relative ordering" says:
/// <c>1.0.dev1 &lt; 1.0a1.dev1 &lt; 1.0a1 &lt; 1.0a1.post1 &lt; 1.0rc1 &lt; 1.0 &lt; 1.0.post1 &lt; 1.1</c>.
/// Local labels (<c>+ubuntu1</c>) are ignored for ordering, as they are for public versions.
/// </summary>
public sealed partial class Pep440Scheme : IVersionScheme
{
    private static readonly ParsedVersions<long[]?> Keys = new(Key);

    public static Pep440Scheme Instance { get; } = new();

    public string Name => "pep440";

    public int? Compare(string a, string b)
    {
        if (Keys.Get(a) is not { } left || Keys.Get(b) is not { } right)
        {
            return null;
        }

        for (var i = 0; i < left.Length; i++)
        {
            var order = left[i].CompareTo(right[i]);
            if (order != 0)
            {
                return Math.Sign(order);
            }
        }

        return 0;
    }

    // The sort key: epoch, release (8 parts, trailing zeros equal), pre (phase, number), post, dev.
    private static long[]? Key(string version)
    {
        var match = Pattern().Match(version.Trim().ToLowerInvariant());
        if (!match.Success)
        {
            return null;
        }

        var key = new List<long> { Number(match.Groups["epoch"].Value) };
        var release = match.Groups["release"].Value.Split('.').Select(Number).ToList();
        if (release.Count > 8)
        {
            return null;
        }

        key.AddRange(release.Concat(Enumerable.Repeat(0L, 8 - release.Count)));
        var (pre, post, dev) = (match.Groups["pre_l"].Success, match.Groups["post"].Success, match.Groups["dev"].Success);

        // A dev release of no pre-release sorts before every pre-release of the same release.
        key.Add(pre ? Phase(match.Groups["pre_l"].Value) : !post && dev ? -1 : long.MaxValue);
        key.Add(pre ? Number(match.Groups["pre_n"].Value) : 0);
        key.Add(post ? Number(match.Groups["post_n1"].Success ? match.Groups["post_n1"].Value : match.Groups["post_n2"].Value) : -1);
        key.Add(dev ? Number(match.Groups["dev_n"].Value) : long.MaxValue);
        return [.. key];
    }

    private static long Phase(string label) => label switch
    {
        "a" or "alpha" => 0,
        "b" or "beta" => 1,
        _ => 2, // c, rc, pre, preview
    };

    private static long Number(string digits) =>
        digits.Length == 0 ? 0 : long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : long.MaxValue - 1;

    // PEP 440 Appendix B, VERSION_PATTERN.
    [GeneratedRegex(@"^v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\.[0-9]+)*)(?<pre>[-_\.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_\.]?(?<pre_n>[0-9]+)?)?(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_\.]?(?<post_l>post|rev|r)[-_\.]?(?<post_n2>[0-9]+)?))?(?<dev>[-_\.]?(?<dev_l>dev)[-_\.]?(?<dev_n>[0-9]+)?)?)(?:\+(?<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?$")]
    private static partial Regex Pattern();
}
