using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Operators;
using Rampart.Pki.Authority;
using Rampart.Server.Auth;

namespace Rampart.Server.Metrics;

/// <summary>
/// A scraper authenticated by its TLS client certificate: a live service certificate of this CA
/// (recorded, not revoked, in validity — the gateway's check) for a service listed in
/// <see cref="MetricsOptions.Services"/>. It is granted <c>metrics:read</c> and nothing else.
/// </summary>
public sealed class ScraperCertificateAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    CertificateAuthority authority, ICertificateStore certificates, TimeProvider time, IOptions<MetricsOptions> metrics)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "scraper-certificate";

    private readonly LiveCertificates _live = new(authority, certificates, time);

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Kestrel asked for a certificate during the handshake (AllowCertificate) and left its checking to the endpoint: here.
        if (await Context.Connection.GetClientCertificateAsync(Context.RequestAborted) is not { } presented)
        {
            return AuthenticateResult.NoResult();
        }

        var live = await _live.CheckAsync(presented, chainVerified: false, Context.RequestAborted);
        if (live.Refusal is not null)
        {
            return AuthenticateResult.Fail(live.Message ?? "the client certificate is not live");
        }

        var record = live.Record!;
        if (record.Profile != "service" || !metrics.Value.Services.Contains(record.Subject, StringComparer.Ordinal))
        {
            return AuthenticateResult.Fail($"{record.Profile} {record.Subject} is not listed in {MetricsOptions.Section}:Services");
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, "service:" + record.Subject),
                new Claim(OperatorClaims.Method, SchemeName),
                new Claim(OperatorClaims.Permission, Permissions.MetricsRead),
            ], SchemeName, ClaimTypes.Name, OperatorClaims.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
