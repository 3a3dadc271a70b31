using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Operators;
using Rampart.Server.Auth;

namespace Rampart.Server.Api;

/// <summary>Operator accounts and their API tokens.</summary>
public static class UserEndpoints
{
    /// <summary>Maps <c>/users</c> and <c>/tokens</c>.</summary>
    public static RouteGroupBuilder MapUserEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/users", async (UserService users, CancellationToken cancellationToken) =>
            TypedResults.Ok((await users.ListAsync(cancellationToken)).Select(u => new UserResponse(u.Name, u.Role, u.Sites, u.Zones, u.Activated, u.Disabled,
                u.SealedTotpSecret is not null, u.LockedUntil, u.Created)).ToArray()))
            .RequirePermission(Permissions.UsersRead);

        api.MapPost("/users", async (InviteRequest body, HttpContext context, UserService users, CancellationToken cancellationToken) =>
        {
            var invitation = await users.InviteAsync(body.Name, body.Role, body.Sites, body.Zones, OperatorClaims.Identity(context.User).Name, cancellationToken);
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Created($"/api/v1/users/{invitation.UserName}",
                new InvitationResponse(invitation.UserName, invitation.Role, invitation.Token, invitation.Expires));
        }).RequirePermission(Permissions.UsersWrite);

        api.MapPost("/users/{name}/disable", async (string name, HttpContext context, UserService users, CancellationToken cancellationToken) =>
        {
            await users.DisableAsync(name, OperatorClaims.Identity(context.User).Name, cancellationToken);
            return TypedResults.NoContent();
        }).RequirePermission(Permissions.UsersWrite);

        // Pending invitations (issue 22, the console's operators page): who, which role and scope, by whom, until when; never the token.
        api.MapGet("/users/invitations", async (UserService users, CancellationToken cancellationToken) =>
            TypedResults.Ok((await users.PendingInvitationsAsync(cancellationToken))
                .Select(i => new PendingInvitationResponse(i.Id, i.UserName, i.Role, i.Sites, i.Zones, i.InvitedBy, i.Expires)).ToArray()))
            .RequirePermission(Permissions.UsersRead);

        api.MapPost("/users/invitations/{id:long}/revoke", async (long id, HttpContext context, UserService users, CancellationToken cancellationToken) =>
        {
            await users.RevokeInvitationAsync(id, OperatorClaims.Identity(context.User).Name, cancellationToken);
            return TypedResults.NoContent();
        }).RequirePermission(Permissions.UsersWrite);

        api.MapGet("/tokens", async (HttpContext context, ApiTokenService tokens, CancellationToken cancellationToken) =>
            TypedResults.Ok((await tokens.ListAsync(OperatorClaims.Identity(context.User).Name, cancellationToken))
                .Select(t => new TokenResponse(t.Id, t.Name, t.Scopes, t.Created, t.Expires, t.Revoked)).ToArray()))
            .RequireOperator();

        api.MapPost("/tokens", async (CreateTokenRequest body, HttpContext context, ApiTokenService tokens, CancellationToken cancellationToken) =>
        {
            var issued = await tokens.CreateAsync(OperatorClaims.Identity(context.User), body.Name, body.Scopes, TimeSpan.FromDays(body.LifetimeDays), cancellationToken);
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Created($"/api/v1/tokens/{issued.Id}", new TokenCreatedResponse(issued.Id, issued.Name, issued.Token, issued.Scopes, issued.Expires));
        }).RequireOperator();

        api.MapPost("/tokens/{id:long}/revoke", async (long id, HttpContext context, ApiTokenService tokens, CancellationToken cancellationToken) =>
        {
            await tokens.RevokeAsync(id, OperatorClaims.Identity(context.User), cancellationToken);
            return TypedResults.NoContent();
        }).RequireOperator();
        return api;
    }
}
