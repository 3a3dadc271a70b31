using System.Text.RegularExpressions;

namespace Rampart.Fleet.Operators;

/// <summary>Operator names: lower case, <c>[a-z0-9][a-z0-9._-]{0,63}</c>; <c>local-admin</c>, <c>node</c> and <c>anonymous</c> are taken by the node.</summary>
public static partial class OperatorNames
{
    private static readonly HashSet<string> _reserved = new(StringComparer.Ordinal) { "local-admin", "node", "anonymous", "system" };

    /// <summary>True for a name an operator may have.</summary>
    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name) && !_reserved.Contains(name) && !name.StartsWith("device:", StringComparison.Ordinal);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
