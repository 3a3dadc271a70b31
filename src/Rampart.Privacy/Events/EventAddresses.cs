using System.Net;

namespace Rampart.Privacy.Events;

/// <summary>
/// Which values of a security event's details are network addresses (personal data, GDPR recital 30):
/// those under the keys the gateway and detectors use for addresses (<c>source</c>, <c>new-source</c>,
/// <c>previous-source</c>, <c>sources</c>, <c>new-sources</c>), and any other value that is an IP
/// address or endpoint, or a comma list of them. A version string such as <c>2.4.1</c> is not one:
/// an IPv4 value needs four dotted parts, an IPv6 one a colon.
/// </summary>
public static class EventAddresses
{
    private static readonly HashSet<string> AddressKeys = new(["source", "sources", "new-source", "new-sources", "previous-source"], StringComparer.Ordinal);

    /// <summary>True when the detail <paramref name="key"/> = <paramref name="value"/> carries an address.</summary>
    public static bool IsAddress(string key, string value) =>
        value.Length > 0 && (AddressKeys.Contains(key) || value.Split(',').All(part => IsEndpoint(part.Trim())));

    private static bool IsEndpoint(string value)
    {
        if (value.Length is 0 or > 64)
        {
            return false;
        }

        var host = value.StartsWith('[') && value.IndexOf(']') is > 0 and var close ? value[1..close] : value;
        if (IPAddress.TryParse(host, out var address))
        {
            return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? host.Contains(':') : host.Count(c => c == '.') == 3;
        }

        // v4 with a port: a.b.c.d:port
        var colon = value.LastIndexOf(':');
        return colon > 0 && value.Count(c => c == ':') == 1 && int.TryParse(value.AsSpan(colon + 1), out var port) && port is >= 0 and <= 65535
            && value[..colon].Count(c => c == '.') == 3 && IPAddress.TryParse(value[..colon], out _);
    }
}
