using Microsoft.AspNetCore.Http;

namespace Rampart.WebConsole.Common;

/// <summary>
/// The headers on every console response. The policy allows only the node's own script, style and
/// connections: no inline script or style, no eval, no plugins, no framing (CSP Level 3;
/// frame-ancestors replaces X-Frame-Options, which is sent too for older browsers), and Trusted Types
/// so even a script bug cannot write HTML from a string.
/// </summary>
public static class ConsoleSecurityHeaders
{
    /// <summary>The Content-Security-Policy.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

    /// <summary>Sets the headers (before the body is written).</summary>
    public static void Apply(HttpResponse response, bool cacheable = false)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), usb=(), serial=()";
        // Pages carry an antiforgery token, which asks for exactly these (it would override anything else, with a warning).
        headers.CacheControl = cacheable ? "no-cache" : "no-cache, no-store";
        if (!cacheable)
        {
            headers.Pragma = "no-cache";
        }
    }
}
