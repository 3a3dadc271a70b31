using Microsoft.AspNetCore.Builder;

namespace Rampart.Server.Auth;

/// <summary>What an endpoint requires: a permission, any authenticated operator, or nothing (public). Every API endpoint declares one.</summary>
public sealed record EndpointAccess(string Requirement)
{
    /// <summary>Any authenticated operator; the operation may check more itself.</summary>
    public const string AnyOperator = "any-operator";

    /// <summary>No authentication (login, activation, EST, probes).</summary>
    public const string Public = "public";

    /// <summary>The authorization policy name of a permission.</summary>
    public static string PolicyOf(string permission) => "perm:" + permission;
}

/// <summary>Declaring access on endpoints.</summary>
public static class EndpointAccessExtensions
{
    /// <summary>Only callers holding <paramref name="permission"/>.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(EndpointAccess.PolicyOf(permission)).WithMetadata(new EndpointAccess(permission));

    /// <summary>Any authenticated operator.</summary>
    public static TBuilder RequireOperator<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization().WithMetadata(new EndpointAccess(EndpointAccess.AnyOperator));

    /// <summary>Anyone.</summary>
    public static TBuilder AllowPublic<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AllowAnonymous().WithMetadata(new EndpointAccess(EndpointAccess.Public));
}
