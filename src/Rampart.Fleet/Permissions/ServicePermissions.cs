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
}
