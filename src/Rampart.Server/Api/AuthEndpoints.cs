using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Operators;
using Rampart.Server.Auth;

namespace Rampart.Server.Api;

/// <summary>Login (token or browser session), logout, who am I, antiforgery token, account activation.</summary>
public static class AuthEndpoints
{
    /// <summary>Maps <c>/auth</c> and <c>/users/activate</c>.</summary>
    public static RouteGroupBuilder MapAuthEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/auth/login", async Task<IResult> (LoginRequest body, HttpContext context, UserService users, ApiTokenService tokens,
            IOptions<OperatorOptions> options, CancellationToken cancellationToken) =>
        {
            var identity = await users.LoginAsync(body.User, body.Password, body.Totp, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", cancellationToken);
            if (body.Session == "cookie")
            {
                await context.SignInAsync(CookieSessions.SchemeName, OperatorClaims.ToPrincipal(identity, CookieSessions.SchemeName));
                return TypedResults.Ok(WhoAmI.From(identity));
            }

            var token = await tokens.CreateAsync(identity, "login session", null, options.Value.SessionLifetime, cancellationToken);
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Ok(new LoginResponse(token.Token, token.Expires, WhoAmI.From(identity)));
        }).AllowPublic();

        api.MapPost("/auth/logout", async (HttpContext context, ApiTokenService tokens, CancellationToken cancellationToken) =>
        {
            var identity = OperatorClaims.Identity(context.User);
            if (OperatorClaims.TokenIdOf(context.User) is { } id)
            {
                await tokens.RevokeAsync(id, identity, cancellationToken);
            }

            await context.SignOutAsync(CookieSessions.SchemeName);
            return TypedResults.NoContent();
        }).RequireOperator();

        api.MapGet("/auth/whoami", (HttpContext context) => TypedResults.Ok(WhoAmI.From(OperatorClaims.Identity(context.User)))).RequireOperator();

        api.MapGet("/auth/antiforgery", (HttpContext context, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(context);
            return TypedResults.Ok(new AntiforgeryResponse(CookieSessions.AntiforgeryHeader, tokens.RequestToken!));
        }).RequireOperator();

        api.MapPost("/users/activate", async (ActivateRequest body, HttpContext context, UserService users, CancellationToken cancellationToken) =>
        {
            var result = await users.ActivateAsync(body.Token, body.Name, body.Password, cancellationToken);
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Ok(new ActivateResponse(result.UserName, result.Role, result.Activated, result.TotpUri, result.TotpSecret));
        }).AllowPublic();

        api.MapPost("/users/activate/confirm", async (ConfirmRequest body, UserService users, CancellationToken cancellationToken) =>
        {
            await users.ConfirmAsync(body.Token, body.Name, body.Code, cancellationToken);
            return TypedResults.NoContent();
        }).AllowPublic();
        return api;
    }
}
