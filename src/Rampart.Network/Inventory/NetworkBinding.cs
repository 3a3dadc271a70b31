using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;

namespace Rampart.Network.Inventory;

/// <summary>
/// An address or MAC an operator bound to a registered device by hand (<c>rampart network bind</c>,
/// migration 0034): for a device that never connects to Rampart, or one whose traffic the network shows
/// from another address than the gateway saw (NAT). A binding outranks the address the gateway saw.
/// </summary>
public sealed record NetworkBinding(string Kind, string Value, string DeviceId, string BoundBy, DateTimeOffset Bound)
{
    public const string Address = "address";
    public const string Mac = "mac";

    /// <summary>Most bindings considered per batch (and listed).</summary>
    public const int MaxBindings = 100_000;

    /// <summary>The binding's kind and normalised value from exactly one of <paramref name="address"/> and <paramref name="mac"/>; a reason otherwise.</summary>
    public static (string Kind, string Value) Parse(string? address, string? mac)
    {
        if (string.IsNullOrWhiteSpace(address) == string.IsNullOrWhiteSpace(mac))
        {
            throw new NetworkInputException("give exactly one of address and mac");
        }

        return address is { Length: > 0 } ? (Address, NormaliseAddress(address)) : (Mac, NormaliseMac(mac!));
    }

    /// <summary>The address as the inventory prints it (an IPv4-mapped IPv6 address as IPv4).</summary>
    public static string NormaliseAddress(string address)
    {
        if (address.Length > 64 || !IPAddress.TryParse(address, out var parsed) || address.Contains('/', StringComparison.Ordinal))
        {
            throw new NetworkInputException($"'{Echo(address)}' is not an IPv4 or IPv6 address");
        }

        return (parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4() : parsed).ToString();
    }

    /// <summary>A MAC as the inventory prints it: six lower-case octets with colons (input may use colons, dashes, or none).</summary>
    public static string NormaliseMac(string mac)
    {
        var hex = mac.Length <= 17 ? mac.Replace(":", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal) : string.Empty;
        if (hex.Length != 12 || !hex.All(char.IsAsciiHexDigit))
        {
            throw new NetworkInputException($"'{Echo(mac)}' is not a MAC address (six octets, e.g. 02:1a:2b:3c:4d:5e)");
        }

        return string.Join(':', Enumerable.Range(0, 6).Select(i => hex.Substring(i * 2, 2).ToLowerInvariant()));
    }

    /// <summary>The printed form of a frame's MAC (the form bindings are stored in).</summary>
    public static string Print(PhysicalAddress mac) =>
        string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    // A bad value is echoed in the reason, cut short and without control characters.
    private static string Echo(string value) => new(value.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
