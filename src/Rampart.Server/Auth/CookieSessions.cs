using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Operators;

namespace Rampart.Server.Auth;

/// <summary>
/// Browser sessions: a Secure, HttpOnly, SameSite=Strict cookie holding the operator's name. Every
/// request re-reads the account, so disabling a user or changing a role takes effect at once.
/// State-changing requests must also carry the antiforgery token (X-XSRF-TOKEN).
/// </summary>
public static class CookieSessions
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "cookie";

    /// <summary>The header the antiforgery token travels in.</summary>
    public const string AntiforgeryHeader = "X-XSRF-TOKEN";

    /// <summary>Cookie options.</summary>
    public static void Configure(CookieAuthenticationOptions options, TimeSpan lifetime)
    {
        options.Cookie.Name = "rampart-session";
        options.Cookie.HttpOnly = true;
        options.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        options.Cookie.SameSite = SameSiteMode.Strict;
        options.ExpireTimeSpan = lifetime;
        options.SlidingExpiration = false;
        options.Events.OnRedirectToLogin = context =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        };
        options.Events.OnRedirectToAccessDenied = context =>
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        };
        options.Events.OnValidatePrincipal = async context =>
        {
            var name = context.Principal?.Identity?.Name;
            var user = name is null ? null : await context.HttpContext.RequestServices.GetRequiredService<UserService>().GetActiveAsync(name, context.HttpContext.RequestAborted);
            if (user is null)
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(SchemeName);
                return;
            }

            context.ReplacePrincipal(OperatorClaims.ToPrincipal(OperatorIdentity.Of(user), SchemeName));
        };
    }
}
