using System.Globalization;
using System.Net;

namespace Rampart.Device.Posture;

/// <summary>What the device's own socket table says: the network facts of a <see cref="PostureReport"/>.</summary>
/// <param name="ListeningPorts">TCP ports in LISTEN and bound UDP ports, distinct, ascending, at most <see cref="SocketTable.MaxItems"/>.</param>
/// <param name="EstablishedConnections">TCP connections in ESTABLISHED (counted in full, never truncated).</param>
/// <param name="Destinations">Remote <c>address:port</c> of the established connections, distinct, at most <see cref="SocketTable.MaxItems"/>.</param>
public sealed record SocketSnapshot(IReadOnlyList<int> ListeningPorts, int EstablishedConnections, IReadOnlyList<string> Destinations);

/// <summary>
/// Reads the Linux socket tables (<c>/proc/net/tcp</c>, <c>tcp6</c>, <c>udp</c>, <c>udp6</c>; proc(5)) so an
/// agent reports listening ports, established connections and their destinations (issue 14, item 1)
/// without running netstat. Bounded: lists stop at <see cref="MaxItems"/> (what the hub reads of a
/// report), each table at <see cref="MaxLines"/> lines; a table that is missing (not Linux, a
/// container without it) counts as empty.
/// </summary>
public static class SocketTable
{
    /// <summary>Most ports and destinations reported (the hub reads no more of a report).</summary>
    public const int MaxItems = 64;

    /// <summary>Most lines read from one table.</summary>
    public const int MaxLines = 100_000;

    // proc(5) /proc/net/tcp: "st" is the kernel's TCP state (include/net/tcp_states.h).
    private const string TcpEstablished = "01";
    private const string TcpListen = "0A";

    // A bound UDP socket with no peer shows as TCP_CLOSE (07) and remote 0.
    private const string UdpUnconnected = "07";

    /// <summary>Reads the tables under <paramref name="procNet"/> (default <c>/proc/net</c>; tests give a directory of their own).</summary>
    public static SocketSnapshot Read(string procNet = "/proc/net")
    {
        var listening = new SortedSet<int>();
        var destinations = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var established = 0;
        foreach (var (table, tcp) in new[] { ("tcp", true), ("tcp6", true), ("udp", false), ("udp6", false) })
        {
            foreach (var (local, remote, state) in Rows(Path.Combine(procNet, table)))
            {
                if (tcp && state == TcpListen || !tcp && state == UdpUnconnected && remote.Port == 0)
                {
                    if (listening.Count < MaxItems)
                    {
                        listening.Add(local.Port);
                    }
                }
                else if (tcp && state == TcpEstablished)
                {
                    established++;
                    var destination = remote.ToString();
                    if (destinations.Count < MaxItems && seen.Add(destination))
                    {
                        destinations.Add(destination);
                    }
                }
            }
        }

        return new SocketSnapshot([.. listening], established, destinations);
    }

    private static IEnumerable<(IPEndPoint Local, IPEndPoint Remote, string State)> Rows(string path)
    {
        IEnumerable<string> lines;
        try
        {
            lines = File.ReadLines(path).Skip(1).Take(MaxLines).ToArray();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var line in lines)
        {
            // "  0: 0100007F:1F90 00000000:0000 0A ..." — sl, local, remote, state.
            var fields = line.Split(' ', 5, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 4 && TryEndPoint(fields[1], out var local) && TryEndPoint(fields[2], out var remote))
            {
                yield return (local, remote, fields[3]);
            }
        }
    }

    // The address is the kernel's bytes printed as 32-bit words in host order (little-endian here);
    // IPv6 is four such words. The port is big-endian hex.
    private static bool TryEndPoint(string text, out IPEndPoint endPoint)
    {
        endPoint = new IPEndPoint(IPAddress.None, 0);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon is not (8 or 32) || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var port))
        {
            return false;
        }

        var bytes = new byte[colon / 2];
        for (var word = 0; word < colon / 8; word++)
        {
            if (!uint.TryParse(text.AsSpan(word * 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            BitConverter.TryWriteBytes(bytes.AsSpan(word * 4, 4), value);
        }

        var address = new IPAddress(bytes);
        endPoint = new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, port);
        return true;
    }
}
