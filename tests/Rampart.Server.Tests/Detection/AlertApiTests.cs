using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Operators.Totp;
using Rampart.Server.Detection;

namespace Rampart.Server.Tests.Detection;

/// <summary>The alert lifecycle over the real HTTPS API, with each role's tokens: who may read, who may work alerts and rules.</summary>
public sealed class AlertApiTests : NodeTestBase
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private async Task<long> RaiseAsync(string device, string detector = "novelty.listening-port")
    {
        var alerts = Node.Node.Services.GetRequiredService<AlertService>();
        var changes = await alerts.RaiseAsync([new Finding(detector, device, AlertSeverity.High, "new listening port 23", new Dictionary<string, string> { ["new-ports"] = "23" }, DateTimeOffset.UtcNow)], CancellationToken.None);
        return changes[0].Alert.Id;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null, string? raw = null)
    {
        using var client = Node.HttpsClient();
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Content = raw is not null ? new StringContent(raw, Encoding.UTF8, "application/json") : body is null ? null : JsonContent.Create(body);
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    [Fact]
    public async Task A_security_officer_acknowledges_and_resolves_an_alert_an_operator_may_only_read_it_and_a_viewer_not_even_that()
    {
        var id = await RaiseAsync("api-1");
        var officer = await TokenForRoleAsync("security-officer");
        var operatorToken = await TokenForRoleAsync("operator");
        var viewer = await TokenForRoleAsync("viewer");

        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "api/v1/alerts", viewer)).StatusCode);
        var page = await (await SendAsync(HttpMethod.Get, "api/v1/alerts?device=api-1", operatorToken)).Content.ReadFromJsonAsync<AlertPage>(Json);
        Assert.Equal("open", Assert.Single(page!.Items).State);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, $"api/v1/alerts/{id}/ack", operatorToken, new AcknowledgeRequest(null))).StatusCode);

        var acknowledged = await SendAsync(HttpMethod.Post, $"api/v1/alerts/{id}/ack", officer, new AcknowledgeRequest("on it"));
        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        Assert.Equal("acknowledged", (await acknowledged.Content.ReadFromJsonAsync<AlertResponse>(Json))!.State);
        var again = await SendAsync(HttpMethod.Post, $"api/v1/alerts/{id}/ack", officer, new AcknowledgeRequest(null));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("only an open alert can be acknowledged", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var resolved = await SendAsync(HttpMethod.Post, $"api/v1/alerts/{id}/resolve", officer, new { reason = "telnet removed by the vendor's update" });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        var detail = await (await SendAsync(HttpMethod.Get, $"api/v1/alerts/{id}", operatorToken)).Content.ReadFromJsonAsync<AlertDetailResponse>(Json);
        Assert.Equal("resolved", detail!.Alert.State);
        Assert.Equal("telnet removed by the vendor's update", detail.Alert.Reason);
        Assert.Equal("23", detail.Alert.Evidence["new-ports"]);

        var audited = new List<AuditEntry>();
        await foreach (var entry in Node.Node.Services.GetRequiredService<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None))
        {
            if (entry.Target == $"alert/{id}")
            {
                audited.Add(entry);
            }
        }

        Assert.Equal(["alert.opened", "alert.acknowledged", "alert.resolved"], audited.Select(e => e.Action));
        Assert.StartsWith("u-security-officer-", audited[2].Actor, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_requests_get_a_reason_and_change_nothing()
    {
        var id = await RaiseAsync("api-2");
        var officer = await TokenForRoleAsync("security-officer");

        var noReason = await SendAsync(HttpMethod.Post, $"api/v1/alerts/{id}/suppress", officer, new { reason = "", minutes = 30 });
        var neither = await SendAsync(HttpMethod.Post, $"api/v1/alerts/{id}/suppress", officer, new { reason = "pen test" });
        var badState = await SendAsync(HttpMethod.Get, "api/v1/alerts?state=closed", officer);
        var missing = await SendAsync(HttpMethod.Post, "api/v1/alerts/999999/resolve", officer, new { reason = "x" });

        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, neither.StatusCode);
        Assert.Contains("either until", await neither.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badState.StatusCode);
        Assert.Contains("state must be one of open, acknowledged, resolved, suppressed", await badState.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var alert = await Node.Node.Services.GetRequiredService<AlertService>().GetAsync(id, CancellationToken.None);
        Assert.Equal(AlertState.Open, alert.State);

        var suppressed = await SendAsync(HttpMethod.Post, $"api/v1/alerts/{id}/suppress", officer, new { reason = "pen test", minutes = 30 });
        Assert.Equal("suppressed", (await suppressed.Content.ReadFromJsonAsync<AlertResponse>(Json))!.State);
    }

    [Fact]
    public async Task Rules_set_through_the_api_are_validated_whole_stored_and_in_force()
    {
        var officer = await TokenForRoleAsync("security-officer");
        var auditor = await TokenForRoleAsync("auditor");

        var invalid = await SendAsync(HttpMethod.Put, "api/v1/detection/rules", officer, raw: """{ "rules": [ { "name": "x", "metric": "nope", "comparison": ">", "threshold": 1 } ] }""");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("rules[0].metric: 'nope' is not a metric", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Put, "api/v1/detection/rules", auditor, raw: """{ "rules": [] }""")).StatusCode);

        var set = await SendAsync(HttpMethod.Put, "api/v1/detection/rules", officer,
            raw: """{ "rules": [ { "name": "big-payloads", "metric": "max-message-bytes", "comparison": ">=", "threshold": 65536, "severity": "high", "zones": ["plant-1"] } ] }""");
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        var rules = await (await SendAsync(HttpMethod.Get, "api/v1/detection/rules", auditor)).Content.ReadFromJsonAsync<RuleResponse[]>(Json);
        var rule = Assert.Single(rules!, r => r.Name == "big-payloads");
        Assert.Equal(("api", ">=", 65536d, "high"), (rule.Source, rule.Comparison, rule.Threshold, rule.Severity));
        Assert.Contains(rules!, r => r is { Name: "flood", Source: "built-in" });
        Assert.Contains(Node.Node.Services.GetRequiredService<Rampart.Detection.DetectionEngine>().Rules.Rules, r => r.Name == "big-payloads");
    }

    private async Task<string> TokenForRoleAsync(string role)
    {
        var services = Node.Node.Services;
        var users = services.GetRequiredService<UserService>();
        var name = "u-" + role + "-" + Guid.NewGuid().ToString("N")[..6];
        var invitation = await users.InviteAsync(name, role, null, null, "local-admin", CancellationToken.None);
        var activation = await users.ActivateAsync(invitation.Token, null, "tidal-orbit-quince-7-lantern", CancellationToken.None);
        if (!activation.Activated)
        {
            var code = TotpGenerator.Code(Base32.Decode(activation.TotpSecret!), TotpGenerator.StepOf(DateTimeOffset.UtcNow), System.Security.Cryptography.HashAlgorithmName.SHA1);
            await users.ConfirmAsync(invitation.Token, null, code, CancellationToken.None);
        }

        var user = await users.GetActiveAsync(name, CancellationToken.None);
        return (await services.GetRequiredService<ApiTokenService>().CreateAsync(OperatorIdentity.Of(user!), "alerts", null, TimeSpan.FromHours(1), CancellationToken.None)).Token;
    }
}
