using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Rampart.WebConsole.Access;
using Rampart.WebConsole.Common;
using Rampart.Fleet.Errors;
using Rampart.Server.Api;
using Rampart.Server.Auth;

namespace Rampart.Server.WebConsole;

/// <summary>
/// How a console page is served: the security headers on every answer; a signed-in operator or a
/// redirect to the sign-in page; the same permission policy the API's endpoint for the same data
/// requires (403 page otherwise); a refused lookup as a page with its reason, never a stack trace.
/// </summary>
internal static class ConsolePages
{
    private const string ViewerKey = "rampart.console.viewer";

    /// <summary>A page any visitor may open (sign-in, setup).</summary>
    public static RouteHandlerBuilder PublicPage(this RouteHandlerBuilder page) =>
        page.AllowPublic().AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            ConsoleSecurityHeaders.Apply(http.Response);
            http.Items[ViewerKey] = new ConsoleViewer(http.User.Identity?.IsAuthenticated == true ? OperatorClaims.Identity(http.User) : null, Antiforgery(http));
            return await next(context);
        });

    /// <summary>A page for operators holding <paramref name="permission"/> (null: any operator).</summary>
    public static RouteHandlerBuilder OperatorPage(this RouteHandlerBuilder page, string? permission) =>
        page.AllowAnonymous().WithMetadata(new EndpointAccess(permission ?? EndpointAccess.AnyOperator)).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            ConsoleSecurityHeaders.Apply(http.Response);
            if (http.User.Identity?.IsAuthenticated != true)
            {
                return TypedResults.Redirect("/signin?return=" + Uri.EscapeDataString(http.Request.Path + http.Request.QueryString));
            }

            var viewer = new ConsoleViewer(OperatorClaims.Identity(http.User), Antiforgery(http));
            http.Items[ViewerKey] = viewer;
            if (permission is not null
                && !(await http.RequestServices.GetRequiredService<IAuthorizationService>().AuthorizeAsync(http.User, EndpointAccess.PolicyOf(permission))).Succeeded)
            {
                return Render<ForbiddenPage>(new { Viewer = viewer, Permission = permission }, StatusCodes.Status403Forbidden);
            }

            try
            {
                return await next(context);
            }
            catch (FleetException refusal) when (refusal.Kind is FleetErrorKind.NotFound or FleetErrorKind.Invalid or FleetErrorKind.Forbidden)
            {
                return Render<NotFoundPage>(new { Viewer = viewer, Reason = refusal.Message }, FleetExceptionHandler.StatusOf(refusal.Kind));
            }
        });

    /// <summary>The viewer the filter resolved for this request.</summary>
    public static ConsoleViewer Viewer(HttpContext context) => (ConsoleViewer)context.Items[ViewerKey]!;

    /// <summary>Renders <typeparamref name="TPage"/> with <paramref name="parameters"/> (Razor encodes every value).</summary>
    public static RazorComponentResult<TPage> Render<TPage>(object parameters, int status = StatusCodes.Status200OK)
        where TPage : IComponent => new(parameters) { StatusCode = status };

    // The antiforgery request token for the page's script (the API checks it on every state change of a cookie session).
    private static string Antiforgery(HttpContext http) =>
        http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http).RequestToken ?? string.Empty;
}
