using System.Net;

namespace Rampart.Posture.Zones;

/// <summary>A zone's network as configured: a CIDR block, or a single address (its /32 or /128).</summary>
public static class ZoneNetworks
{
    public static bool TryParse(string text, out IPNetwork network)
    {
        if (IPNetwork.TryParse(text, out network))
        {
            return true;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return false;
    }

    public static IPNetwork Parse(string text) => TryParse(text, out var network) ? network : throw new FormatException($"'{text}' is not an address or CIDR block");
}
