namespace Rampart.Network.Inventory;

/// <summary>
/// A host the network showed (by its IP address): its MAC and vendor when a frame carried them, the
/// registered device it is (null: unknown), when it was seen, how much it sent, the ports it served
/// (<c>tcp/23</c>), the protocols it spoke and the insecure ones among them.
/// </summary>
public sealed record NetworkHost(
    string Address,
    string? Mac,
    string? Vendor,
    string? DeviceId,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    long Flows,
    long Bytes,
    IReadOnlyList<string> Ports,
    IReadOnlyList<string> Protocols,
    IReadOnlyList<string> Insecure)
{
    /// <summary>Ports, protocols and insecure protocols kept per host: a scan must not grow a row without bound.</summary>
    public const int MaxListed = 64;

    /// <summary>This observation merged into what was stored (lists united, counts added, times widened).</summary>
    public NetworkHost MergedInto(NetworkHost? stored) => stored is null ? this : new NetworkHost(
        Address, Mac ?? stored.Mac, Vendor ?? stored.Vendor, DeviceId ?? stored.DeviceId,
        FirstSeen < stored.FirstSeen ? FirstSeen : stored.FirstSeen, LastSeen > stored.LastSeen ? LastSeen : stored.LastSeen,
        Flows + stored.Flows, Bytes + stored.Bytes, Union(stored.Ports, Ports), Union(stored.Protocols, Protocols), Union(stored.Insecure, Insecure));

    internal static IReadOnlyList<string> Union(IEnumerable<string> first, IEnumerable<string> second) =>
        first.Concat(second).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(MaxListed).ToArray();
}
