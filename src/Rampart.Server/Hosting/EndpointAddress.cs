using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Rampart.Server.Hosting;

/// <summary>An IP address and port as written in options: <c>127.0.0.1:8443</c>, <c>[::1]:8883</c>, <c>0.0.0.0:8443</c>.</summary>
public sealed record EndpointAddress(IPAddress Address, int Port)
{
    /// <summary>Parses <c>ADDR:PORT</c>; the reason says what is wrong otherwise.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out EndpointAddress? endpoint, [NotNullWhen(false)] out string? reason)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            reason = "an address is required, as ADDR:PORT (for example 127.0.0.1:8443)";
            return false;
        }

        var separator = text.LastIndexOf(':');
        if (separator <= 0 || separator == text.Length - 1)
        {
            reason = $"'{text}' is not ADDR:PORT (for example 127.0.0.1:8443 or [::1]:8443)";
            return false;
        }

        var host = text[..separator];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            reason = $"'{text}': write an IPv6 address in brackets, as [::1]:8443";
            return false;
        }

        if (host == "localhost")
        {
            host = "127.0.0.1";
        }

        if (!IPAddress.TryParse(host, out var address))
        {
            reason = $"'{host}' in '{text}' is not an IP address (use an address such as 127.0.0.1, 0.0.0.0 or [::1])";
            return false;
        }

        if (!int.TryParse(text[(separator + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            reason = $"'{text[(separator + 1)..]}' in '{text}' is not a port number from 0 to 65535";
            return false;
        }

        endpoint = new EndpointAddress(address, port);
        reason = null;
        return true;
    }

    /// <summary>The endpoint to bind.</summary>
    public IPEndPoint ToIPEndPoint() => new(Address, Port);

    /// <inheritdoc />
    public override string ToString() => new IPEndPoint(Address, Port).ToString();
}
