using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Rampart.Server.Auth;
using Rampart.Server.Export;
using Rampart.Server.Detection;
using Rampart.Server.Setup;

namespace Rampart.Server.Api;

/// <summary>
/// <c>/api/v1</c>: the operations admin commands use. Every endpoint requires an authenticated
/// caller (the local admin socket, an API token or a browser session) holding the endpoint's permission.
/// </summary>
public static class AdminApi
{
    /// <summary>Maps every admin endpoint.</summary>
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        // Authenticated by default; each endpoint narrows this to a permission (or opens it).
        var api = endpoints.MapGroup("/api/v1").RequireAuthorization().RequireAntiforgeryForCookies();
        api.MapAuthEndpoints();
        api.MapUserEndpoints();
        api.MapApprovalEndpoints();
        api.MapEventEndpoints();
        api.MapDeviceEndpoints();
        api.MapDeviceMessagingEndpoints();
        api.MapCertificateEndpoints();
        api.MapVendorEndpoints();
        api.MapSetupTokenEndpoints();
        api.MapReleaseEndpoints();
        api.MapExportEndpoints();
        api.MapAlertEndpoints();
        Keys.CaEndpoints.MapCaEndpoints(api);
        return endpoints;
    }
}
