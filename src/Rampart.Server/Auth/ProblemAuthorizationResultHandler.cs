using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace Rampart.Server.Auth;

/// <summary>401 and 403 as RFC 9457 problem documents that say what is missing (the permission an endpoint needs).</summary>
internal sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        if (authorizeResult.Challenged)
        {
            await context.ChallengeAsync(policy.AuthenticationSchemes.FirstOrDefault());
            await WriteAsync(context, StatusCodes.Status401Unauthorized, "authentication required: log in (rampart login) or send an API token as Bearer");
            return;
        }

        await context.ForbidAsync(policy.AuthenticationSchemes.FirstOrDefault());
        var needed = context.GetEndpoint()?.Metadata.GetMetadata<EndpointAccess>()?.Requirement;
        await WriteAsync(context, StatusCodes.Status403Forbidden, needed is null ? "forbidden" : $"forbidden: this needs the permission {needed}");
    }

    private async Task WriteAsync(HttpContext context, int status, string title)
    {
        context.Response.StatusCode = status;
        await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = { Status = status, Title = title, Detail = title } });
    }
}
