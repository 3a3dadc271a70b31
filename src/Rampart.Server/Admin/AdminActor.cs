using System.Security.Claims;

namespace Rampart.Server.Admin;

/// <summary>The audit actor for an authenticated request, with the peer process where known.</summary>
public static class AdminActor
{
    /// <summary>The actor name.</summary>
    public static string Of(ClaimsPrincipal user) =>
        user.Identity?.Name ?? throw new InvalidOperationException("an authenticated request has no name");

    /// <summary>Details to audit alongside the actor: the peer's uid and pid on the admin socket.</summary>
    public static Dictionary<string, string> Details(ClaimsPrincipal user) =>
        user.Claims.Where(claim => claim.Type is "uid" or "pid").ToDictionary(claim => $"peer-{claim.Type}", claim => claim.Value);
}
