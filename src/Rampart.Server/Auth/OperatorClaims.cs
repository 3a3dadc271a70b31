using System.Globalization;
using System.Security.Claims;
using Rampart.Fleet.Operators;

namespace Rampart.Server.Auth;

/// <summary>An operator identity as claims, and back.</summary>
public static class OperatorClaims
{
    public const string Role = "rampart:role";
    public const string Permission = "rampart:perm";
    public const string Site = "rampart:site";
    public const string Zone = "rampart:zone";
    public const string Method = "rampart:auth";
    public const string TokenId = "rampart:token-id";

    /// <summary>A principal for an identity authenticated by <paramref name="method"/>.</summary>
    public static ClaimsPrincipal ToPrincipal(OperatorIdentity identity, string method, IEnumerable<Claim>? extra = null)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, identity.Name), new(Role, identity.Role), new(Method, method) };
        claims.AddRange(identity.Permissions.Select(p => new Claim(Permission, p)));
        claims.AddRange(identity.Sites.Select(s => new Claim(Site, s)));
        claims.AddRange(identity.Zones.Select(z => new Claim(Zone, z)));
        claims.AddRange(extra ?? []);
        return new ClaimsPrincipal(new ClaimsIdentity(claims, method, ClaimTypes.Name, Role));
    }

    /// <summary>The identity of an authenticated principal.</summary>
    public static OperatorIdentity Identity(ClaimsPrincipal user) => new(
        user.Identity?.Name ?? throw new InvalidOperationException("the request is not authenticated"),
        user.FindFirst(Role)?.Value ?? string.Empty,
        user.FindAll(Permission).Select(c => c.Value).ToHashSet(StringComparer.Ordinal),
        user.FindAll(Site).Select(c => c.Value).ToArray(),
        user.FindAll(Zone).Select(c => c.Value).ToArray());

    /// <summary>The API token id a request was authenticated with, if any.</summary>
    public static long? TokenIdOf(ClaimsPrincipal user) =>
        user.FindFirst(TokenId)?.Value is { } id ? long.Parse(id, CultureInfo.InvariantCulture) : null;
}
