using System.Net;
using System.Net.Sockets;

namespace Rampart.Attack.Battery;

/// <summary>
/// The red team attacks only what its operator owns: a target must resolve to loopback addresses
/// only, or be named explicitly with <c>--allow-target</c>: an address literal or <c>localhost</c>,
/// every address checked; a DNS name (which could rebind between connections) only when allowed.
/// Nothing is sent before the check.
/// </summary>
public static class TargetGuard
{
    /// <summary>Throws <see cref="AttackRefusedException"/> unless every address of <paramref name="host"/> is loopback or the host is allowed.</summary>
    public static async Task<IPAddress[]> CheckAsync(string host, IReadOnlyCollection<string> allowed, CancellationToken cancellationToken)
    {
        if (allowed.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            return await ResolveAsync(host, cancellationToken);
        }

        // Every client of the battery resolves the name again on connect, and a DNS name may answer
        // loopback now and something else then (rebinding): only literals and localhost (the hosts
        // file, not DNS) are taken without --allow-target, and no DNS query is made for anything else.
        if (!IPAddress.TryParse(host.Trim('[', ']'), out _) && !string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw new AttackRefusedException(
                $"{host} is a DNS name that may resolve differently on every connection: name a loopback address (127.0.0.1, ::1, localhost), or allow it with --allow-target {host}");
        }

        var addresses = await ResolveAsync(host, cancellationToken);
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
