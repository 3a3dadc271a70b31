using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Rampart.Server.Admin;

/// <summary>
/// Authenticates requests that arrive on the admin socket as <c>local-admin</c>. Requests on any
/// other listener get no identity from this scheme (operator tokens come with the operators issue).
/// </summary>
public sealed class LocalAdminAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "local-admin";

    /// <inheritdoc />
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var connection = Context.Features.Get<LocalAdminConnection>();
        if (connection is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var claims = new List<Claim>();
        if (connection.Peer is { } peer)
        {
            claims.Add(new Claim("uid", peer.UserId.ToString(CultureInfo.InvariantCulture)));
            claims.Add(new Claim("pid", peer.ProcessId.ToString(CultureInfo.InvariantCulture)));
        }

        var principal = Auth.OperatorClaims.ToPrincipal(Fleet.Operators.OperatorIdentity.LocalAdmin, SchemeName, claims);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
