using System.Security.Cryptography;
using System.Text;
using Rampart.SupplyChain.Stores;
using Rampart.SupplyChain.Vex;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain.Exposure;

/// <summary>
/// A recompute's exposure as stored for paged reading (issue 22): one line per item, the tally of each scope, and
/// which scopes each device ran (a scoped reader's counts join these with the inventory at read time).
/// </summary>
public sealed record ExposureResult(
    IReadOnlyList<StoredExposureLine> Lines, IReadOnlyList<ExposureScopeTally> Scopes, IReadOnlyList<(string Scope, string DeviceId)> DeviceScopes)
{
    /// <summary>The result of <paramref name="items"/> (<see cref="ExposureCalculator.Compute"/>'s): every line, open or closed.</summary>
    public static ExposureResult Of(IReadOnlyList<ExposureItem> items)
    {
        var lines = items.Select(i => new StoredExposureLine(
                RankOf(i), i.Scope.Key, i.Assessment.Finding.Vulnerability.Id, i.Assessment.Severity.Name(), i.Assessment.KnownExploited?.DateAdded,
                i.Assessment.Finding.Component.Name, i.Assessment.Finding.Component.Version, i.FixedBy,
                i.Assessment.Open ? "open" : i.Assessment.Vex is { } vex ? vex.Status.Name() : "vex"))
            .DistinctBy(l => l.Rank, StringComparer.Ordinal).OrderBy(l => l.Rank, StringComparer.Ordinal).ToArray();
        var byScope = items.GroupBy(i => i.Scope.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
        var scopes = byScope.Select(g => new ExposureScopeTally(g.Key, g.First().Devices.Count, g.Count(i => i.Assessment.Open), g.Count(i => !i.Assessment.Open))).ToArray();
        var devices = byScope.SelectMany(g => g.First().Devices.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(d => (g.Key, d))).ToArray();
        return new ExposureResult(lines, scopes, devices);
    }

    /// <summary>
    /// The line's order as one byte-ordered text: open before closed, known exploited (CISA KEV) first among them, then by
    /// severity and vulnerability id (at most 128 printable characters), then a SHA-256 of the scope and the component's
    /// reference. Unique, so keyset paging neither skips nor repeats a line; bounded (at most 3 + 1 + 128 + 1 + 64
    /// characters), because an SBOM's references are not: a rank is a primary key (PostgreSQL refuses a B-tree entry
    /// past ~2.7 KB) and the next page's URL. The fields are length-prefixed in the hash, so no two lines share one.
    /// </summary>
    public static string RankOf(ExposureItem item) => string.Concat(
        item.Assessment.Open ? "0" : "1",
        item.Assessment.KnownExploited is null ? "1" : "0",
        ((int)Severity.Critical - (int)item.Assessment.Severity).ToString(System.Globalization.CultureInfo.InvariantCulture),
        "|", item.Assessment.Finding.Vulnerability.Id, "|", Place(item.Scope.Key, item.Assessment.Finding.Component.Ref));

    /// <summary>Longest rank <see cref="RankOf"/> makes.</summary>
    public const int MaxRankLength = 3 + 1 + Vulnerability.MaxIdLength + 1 + 64;

    private static string Place(string scope, string component) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{scope.Length}:{scope};{component.Length}:{component}"))));

    /// <summary>Rank bound of the open lines: every open line's rank is below it.</summary>
    public const string ClosedFrom = "1";

    /// <summary>SHA-256 over everything stored: a recompute whose result has the same digest writes nothing.</summary>
    public string Digest() => _digest ??= Compute();

    private string? _digest;

    private string Compute()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(params string?[] fields)
        {
            foreach (var field in fields)
            {
                // Length-prefixed, so no two different results hash the same text.
                var text = field ?? "\u0000null";
                hash.AppendData(Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{text.Length}:{text};")));
            }
        }

        foreach (var l in Lines)
        {
            Add("l", l.Rank, l.Scope, l.Vulnerability, l.Severity, l.KnownExploited, l.Component, l.Version, l.FixedBy, l.Status);
        }

        foreach (var s in Scopes)
        {
            Add("s", s.Scope, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{s.Devices}/{s.OpenLines}/{s.ClosedLines}"));
        }

        foreach (var (scope, device) in DeviceScopes)
        {
            Add("d", scope, device);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
