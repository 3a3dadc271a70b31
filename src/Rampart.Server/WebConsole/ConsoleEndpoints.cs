using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.WebConsole;
using Rampart.WebConsole.Access;
using Rampart.WebConsole.Common;
using Rampart.Server.Auth;
using Rampart.Server.WebConsole.Traffic;

namespace Rampart.Server.WebConsole;

/// <summary>
/// The web console at <c>/</c> on the HTTPS listener (docs/console.md lists the pages and the
/// permission each needs). Pages only read, through the services the API's read endpoints use; every
/// action is a call of the API itself from the page's script.
/// </summary>
public static class ConsoleEndpoints
{
    /// <summary>Maps the pages and the assets.</summary>
    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(ConsoleAssets.Prefix + "{name}", (string name, HttpContext context) =>
        {
            ConsoleSecurityHeaders.Apply(context.Response, cacheable: true);
            if (ConsoleAssets.Find(name) is not { } asset)
            {
                return Results.NotFound();
            }

            context.Response.Headers.ETag = asset.ETag;
            return context.Request.Headers.IfNoneMatch == asset.ETag
                ? Results.StatusCode(StatusCodes.Status304NotModified)
                : Results.Bytes(asset.Content, asset.ContentType);
        }).AllowPublic();

        endpoints.MapGet("/signin", (string? @return, string? expired, string? activated, HttpContext context) =>
            ConsolePages.Render<SignInPage>(new
            {
                Viewer = ConsolePages.Viewer(context),
                ReturnPath = LocalPath(@return),
                Expired = expired is not null,
                Activated = activated is not null,
            })).PublicPage();

        endpoints.MapGet("/setup", (HttpContext context) => ConsolePages.Render<SetupPage>(new { Viewer = ConsolePages.Viewer(context) })).PublicPage();

        endpoints.MapFleetPages();
        endpoints.MapMonitoringPages();
        endpoints.MapUpdatePages();
        endpoints.MapOperatorPages();
        endpoints.MapCapabilityPages();
        endpoints.MapTrafficEndpoint();
        return endpoints;
    }

    /// <summary>A path on this node to return to after signing in; anything else (another origin, <c>//host</c>, <c>/\host</c>) becomes <c>/</c>.</summary>
    internal static string LocalPath(string? path) =>
        path is { Length: > 0 and <= 2048 } && path[0] == '/' && (path.Length == 1 || (path[1] != '/' && path[1] != '\\'))
        && !path.Any(char.IsControl) ? path : "/";
}
