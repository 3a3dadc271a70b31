using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Operators;
using Rampart.Testing;

namespace Rampart.Server.Tests.Export;

/// <summary><c>/metrics</c> on the node's HTTPS listener: Prometheus text, for a bearer token with <c>metrics:read</c> only.</summary>
public sealed partial class MetricsEndpointTests : IAsyncLifetime
{
    // Meters are process-wide and other tests run nodes in this process too: this test's figures carry names no other test uses.
    private readonly string _destination = "scrape-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _kind = "metrics-test." + Guid.NewGuid().ToString("N")[..8];
    private readonly TempDirectory _temp = new();
    private TestNode _node = null!;

    public async Task InitializeAsync()
    {
        var pki = ExportPki.Create(_temp.Sub("pki"));
        _node = await TestNode.StartAsync(_temp.Sub("data"), new Dictionary<string, string?>
        {
            // A receiver that is down, so the outbox figures have something to show.
            [$"Rampart:Export:Webhooks:{_destination}:Url"] = $"https://localhost:{Receiver.FreePort()}/hook",
            [$"Rampart:Export:Webhooks:{_destination}:Secret"] = "metrics-test-key-0123456789abcdef01234567",
            [$"Rampart:Export:Webhooks:{_destination}:CaFile"] = pki.CaFile,
            ["Rampart:Export:Outbox:PollInterval"] = "00:00:00.200",
            ["Rampart:Metrics:Services:0"] = "prometheus",
        });
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _temp.Dispose();
    }

    private string Destination => $"destination=\"webhook:{_destination}\"";

    private string Kind => $"kind=\"{_kind}\"";

    private async Task<string> TokenAsync(IReadOnlyList<string> scopes)
    {
        var users = _node.Node.Services.GetRequiredService<UserService>();
        var name = "ops" + Guid.NewGuid().ToString("N")[..6];
        var invitation = await users.InviteAsync(name, "operator", null, null, "local-admin", CancellationToken.None);
        await users.ActivateAsync(invitation.Token, null, "tidal-orbit-quince-7-lantern", CancellationToken.None);
        var owner = OperatorIdentity.Of((await users.GetActiveAsync(name, CancellationToken.None))!);
        return (await _node.Node.Services.GetRequiredService<ApiTokenService>().CreateAsync(owner, "scrape", scopes, TimeSpan.FromDays(1), CancellationToken.None)).Token;
    }

    private async Task<HttpResponseMessage> ScrapeAsync(string? token)
    {
        using var client = _node.HttpsClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "metrics");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request);
    }

    /// <summary>The samples of a Prometheus text exposition: "name{labels} value" per line, comments skipped.</summary>
    private static List<(string Name, string Labels, double Value)> Samples(string text) =>
        text.Split('\n').Where(line => line.Length > 0 && !line.StartsWith('#')).Select(line =>
        {
            var match = Sample().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample: {line}");
            return (match.Groups[1].Value, match.Groups[2].Value, double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
        }).ToList();

    [Fact]
    public async Task Metrics_are_refused_without_a_token_and_with_a_token_lacking_the_metrics_scope()
    {
        var eventsOnly = await TokenAsync([Permissions.EventsRead]);

        using var anonymous = await ScrapeAsync(null);
        using var wrongScope = await ScrapeAsync(eventsOnly);
        using var forged = await ScrapeAsync(ApiTokenService.Prefix + new string('x', 43));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrongScope.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.DoesNotContain("rampart_", await wrongScope.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_with_the_metrics_scope_scrapes_gateway_broker_security_and_outbox_figures()
    {
        var token = await TokenAsync([Permissions.MetricsRead]);
        await _node.Node.Services.GetRequiredService<SecurityEvents>().RecordAsync(_kind, SecuritySeverity.High, "sensor-1", null);

        List<(string Name, string Labels, double Value)> samples = [];
        await Eventually.HoldsAsync(async () =>
        {
            using var response = await ScrapeAsync(token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            samples = Samples(await response.Content.ReadAsStringAsync());
            return samples.Any(s => s.Name == "rampart_export_queued" && s.Labels.Contains(Destination, StringComparison.Ordinal) && s.Value >= 1)
                && samples.Any(s => s.Name == "rampart_security_events_total" && s.Labels.Contains(Kind, StringComparison.Ordinal));
        }, "the scrape shows the queued alert and the security event counter");

        Assert.Contains(samples, s => s.Name == "rampart_gateway_connections");
        Assert.Contains(samples, s => s.Name == "rampart_gateway_refusals_total");
        Assert.Contains(samples, s => s.Name == "rampart_broker_sessions");
        Assert.Contains(samples, s => s.Name == "rampart_export_dropped_total" && s.Labels.Contains(Destination, StringComparison.Ordinal));
        Assert.Equal(1, samples.Single(s => s.Name == "rampart_security_events_total" && s.Labels.Contains(Kind, StringComparison.Ordinal)).Value);
    }

    /// <summary>curl, as a scraper would run it, presenting a service certificate this node issued.</summary>
    private async Task<(string Status, string Body)> CurlWithCertificateAsync(string service, bool revoke = false)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var csr = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=" + service, key, System.Security.Cryptography.HashAlgorithmName.SHA256).CreateSigningRequest();
        using var certificate = await _node.Node.Services.GetRequiredService<Fleet.Certificates.ServiceCertificates>().IssueAsync(service, csr, "local-admin", CancellationToken.None);
        if (revoke)
        {
            await _node.Node.Services.GetRequiredService<Fleet.Certificates.RevocationService>().RevokeSerialAsync(
                certificate.SerialNumber, System.Security.Cryptography.X509Certificates.X509RevocationReason.KeyCompromise, "local-admin", CancellationToken.None);
        }

        var certificateFile = _temp.Sub(service + ".pem");
        var keyFile = _temp.Sub(service + ".key");
        await File.WriteAllTextAsync(certificateFile, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());
        var (_, output) = await RunningProcess.RunAsync("curl", [
            "-sS", "--cacert", Path.Combine(_node.Node.DataDirectory, "ca-root.crt.pem"), "--cert", certificateFile, "--key", keyFile,
            "-w", "\nstatus=%{http_code}", new Uri(_node.Node.HttpsUri, "metrics").ToString()], TimeSpan.FromSeconds(60));
        var status = StatusLine().Match(output);
        Assert.True(status.Success, output);
        return (status.Groups[1].Value, output[..status.Index]);
    }

    [Fact]
    public async Task A_listed_scrapers_service_certificate_scrapes_with_curl_and_an_unlisted_or_revoked_one_is_refused()
    {
        var listed = await CurlWithCertificateAsync("prometheus");
        var unlisted = await CurlWithCertificateAsync("billing");

        Assert.Equal("200", listed.Status);
        Assert.Contains(Samples(listed.Body), s => s.Name == "rampart_gateway_connections");
        Assert.Equal("401", unlisted.Status);
        Assert.DoesNotContain("rampart_", unlisted.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_scraper_certificate_is_refused()
    {
        var revoked = await CurlWithCertificateAsync("prometheus", revoke: true);

        Assert.Equal("401", revoked.Status);
    }

    [GeneratedRegex(@"\nstatus=(\d{3})$")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(\s+\d+)?$")]
    private static partial Regex Sample();
}
