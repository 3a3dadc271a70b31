using System.Text.RegularExpressions;

namespace Rampart.Fleet.Inventory;

/// <summary>
/// Device ids: <c>[A-Za-z0-9._-]{1,64}</c>. No <c>/</c>, <c>+</c>, <c>#</c> or <c>$</c>, so an id can
/// never widen an MQTT topic template it is substituted into.
/// </summary>
public static partial class DeviceIds
{
    /// <summary>Longest id.</summary>
    public const int MaxLength = 64;

    /// <summary>True for a well-formed id.</summary>
    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    /// <summary>Longest free-text attribute (model, vendor, site, …).</summary>
    public const int MaxAttributeLength = 128;

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
