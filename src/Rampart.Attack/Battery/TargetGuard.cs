using System.Net;
using System.Net.Sockets;

namespace Rampart.Attack.Battery;

/// <summary>
/// The red team attacks only what its operator owns: a target must resolve to loopback addresses
/// only, or be named explicitly with <c>--allow-target</c>. A name that resolves to anything else
/// (DNS rebinding included: every address is checked) is refused before a packet is sent.
/// </summary>
public static class TargetGuard
{
    /// <summary>Throws <see cref="AttackRefusedException"/> unless every address of <paramref name="host"/> is loopback or the host is allowed.</summary>
    public static async Task<IPAddress[]> CheckAsync(string host, IReadOnlyCollection<string> allowed, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(host, cancellationToken);
        if (allowed.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            return addresses;
        }

        var foreign = addresses.Where(address => !IPAddress.IsLoopback(address)).ToArray();
        return foreign.Length == 0
            ? addresses
            : throw new AttackRefusedException(
                $"{host} resolves to {string.Join(", ", foreign.Select(a => a.ToString()))}, which is not loopback: attack only a node you own, and name it with --allow-target {host}");
    }

    /// <summary>The addresses of <paramref name="host"/> (an address literal stands for itself).</summary>
    public static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return [literal];
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
            return addresses.Length > 0 ? addresses : throw new AttackRefusedException($"{host} has no address");
        }
        catch (SocketException exception)
        {
            throw new AttackRefusedException($"{host} cannot be resolved: {exception.Message}");
        }
    }
}

/// <summary>The battery will not run against this target; the message says why and what to do.</summary>
public sealed class AttackRefusedException(string message) : Exception(message);
