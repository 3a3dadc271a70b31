using System.Text.RegularExpressions;

namespace Rampart.Fleet.Inventory;

/// <summary>
/// Device ids: <c>[A-Za-z0-9][A-Za-z0-9._-]{0,63}</c>. No <c>/</c>, <c>+</c>, <c>#</c>, <c>$</c>,
/// <c>%</c>, <c>*</c>, <c>:</c> or white space, so an id can never widen an MQTT topic template it is
/// substituted into (<c>+</c>, <c>#</c>, <c>/</c>), name a system or shared topic (a leading
/// <c>$</c>), or change a URL path (<c>/</c>, <c>%</c>-escapes). The first character is a letter or
/// digit: <c>.</c> and <c>..</c> are path segments that URL normalisation removes (such a device
/// could never be shown, retired or quarantined again), a leading <c>.</c> hides a file, and a
/// leading <c>-</c> reads as an option on a command line.
/// </summary>
public static partial class DeviceIds
{
    /// <summary>Longest id.</summary>
    public const int MaxLength = 64;

    /// <summary>Longest free-text attribute (model, vendor, site, …).</summary>
    public const int MaxAttributeLength = 128;

    /// <summary>The rule in words, for refusals.</summary>
    public const string Rule = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";

    /// <summary>True for an id a new device (vendor, service, site, tag, model) may take.</summary>
    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    /// <summary>
    /// True for an id that may name a device registered already: the earlier rule
    /// (<c>[A-Za-z0-9._-]{1,64}</c>, which kept topics and paths safe too) without the ids made only of
    /// dots. Lookups and topic templates take these, so a device added under the earlier rule (say
    /// <c>-spare</c>) can still be shown, retired and connect; only new ids must be <see cref="IsValid"/>.
    /// </summary>
    public static bool CanName(string? id) => id is not null && EarlierPattern().IsMatch(id) && id.AsSpan().ContainsAnyExcept('.');

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex EarlierPattern();
}
