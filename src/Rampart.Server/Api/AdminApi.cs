using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Rampart.Server.Api;

/// <summary>
/// <c>/api/v1</c>: the operations admin commands use. Every endpoint requires an authenticated
/// caller (the local admin socket now; operator tokens with the operators issue).
/// </summary>
public static class AdminApi
{
    /// <summary>Maps every admin endpoint.</summary>
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").RequireAuthorization();
        api.MapDeviceEndpoints();
        api.MapCertificateEndpoints();
        api.MapVendorEndpoints();
        return endpoints;
    }
}
