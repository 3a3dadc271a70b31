namespace Rampart.Fleet.Permissions;

/// <summary>
/// A backend service's configuration: the client ids its certificate may use (an exact id or a
/// prefix ending in <c>*</c>, such as <c>ingest-*</c>) and its topic permissions, which may be as
/// broad as the operator decides. Device identities never get either.
/// </summary>
public sealed record ServicePermissions(string Name, string ClientIdPattern, PermissionTemplate Topics)
{
    /// <summary>True when the service may connect with <paramref name="clientId"/>.</summary>
    public bool AllowsClientId(string clientId) =>
        ClientIdPattern.EndsWith('*')
            ? clientId.Length > ClientIdPattern.Length - 1 && clientId.StartsWith(ClientIdPattern[..^1], StringComparison.Ordinal)
            : clientId == ClientIdPattern;

    /// <summary>True when some client id is allowed by both this service and <paramref name="other"/>.</summary>
    public bool Overlaps(ServicePermissions other)
    {
        var (a, aPrefix) = Literal(ClientIdPattern);
        var (b, bPrefix) = Literal(other.ClientIdPattern);
        return (aPrefix, bPrefix) switch
        {
            (true, true) => a.StartsWith(b, StringComparison.Ordinal) || b.StartsWith(a, StringComparison.Ordinal),
            (true, false) => AllowsClientId(b),
            (false, true) => other.AllowsClientId(a),
            _ => a == b,
        };
    }

    private static (string Literal, bool IsPrefix) Literal(string pattern) =>
        pattern.EndsWith('*') ? (pattern[..^1], true) : (pattern, false);
}
