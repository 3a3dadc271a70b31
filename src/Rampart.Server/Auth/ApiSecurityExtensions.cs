using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Operators;
using Rampart.Server.Admin;

namespace Rampart.Server.Auth;

/// <summary>
/// Who may call the API: the local admin socket, Bearer tokens (API tokens and login tokens), or a
/// browser session cookie with antiforgery; one authorization policy per permission.
/// </summary>
public static class ApiSecurityExtensions
{
    /// <summary>The scheme that picks the admin socket, a Bearer token or the session cookie.</summary>
    internal const string SelectorScheme = "rampart";

    /// <summary>Registers the schemes and policies.</summary>
    public static IServiceCollection AddRampartApiSecurity(this IServiceCollection services, TimeSpan sessionLifetime)
    {
        services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "Rampart", options => options.ForwardDefaultSelector = context =>
                context.Features.Get<LocalAdminConnection>() is not null ? LocalAdminAuthenticationHandler.SchemeName
                : context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? ApiTokenAuthenticationHandler.SchemeName
                : CookieSessions.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, LocalAdminAuthenticationHandler>(LocalAdminAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddCookie(CookieSessions.SchemeName, options => CookieSessions.Configure(options, sessionLifetime));

        services.AddAuthorization(options =>
        {
            foreach (var permission in Permissions.All)
            {
                options.AddPolicy(EndpointAccess.PolicyOf(permission), policy => policy.RequireAuthenticatedUser().RequireClaim(OperatorClaims.Permission, permission));
            }
        });

        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        services.AddAntiforgery(options =>
        {
            options.HeaderName = CookieSessions.AntiforgeryHeader;
            options.Cookie.Name = "rampart-xsrf";
            options.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            options.Cookie.SameSite = SameSiteMode.Strict;
        });
        return services;
    }

    /// <summary>
    /// Requests authenticated by the session cookie that change state must carry the antiforgery
    /// token in <c>X-XSRF-TOKEN</c> (SameSite=Strict is the first line, this the second).
    /// </summary>
    public static RouteGroupBuilder RequireAntiforgeryForCookies(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var unsafeMethod = !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method));
            if (unsafeMethod && http.User.HasClaim(OperatorClaims.Method, CookieSessions.SchemeName)
                && !await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest,
                    title: $"missing or invalid antiforgery token: send the token from GET /api/v1/auth/antiforgery in {CookieSessions.AntiforgeryHeader}");
            }

            return await next(context);
        });
        return group;
    }
}
