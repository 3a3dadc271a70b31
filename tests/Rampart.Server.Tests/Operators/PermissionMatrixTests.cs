using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Operators.Totp;
using Rampart.Server.Auth;
using Rampart.Testing;

namespace Rampart.Server.Tests.Operators;

/// <summary>
/// Every API endpoint × every role, generated from the node's own endpoint list: an endpoint without
/// a declared requirement fails, and each role is allowed or refused exactly as its permissions say.
/// </summary>
public sealed class PermissionMatrixTests : NodeTestBase
{
    [Fact]
    public async Task Every_endpoint_is_allowed_or_denied_for_every_role_exactly_as_the_roles_say()
    {
        var endpoints = ApiEndpoints();
        var undeclared = endpoints.Where(e => e.Access is null).Select(e => e.Display).ToArray();
        Assert.True(undeclared.Length == 0, "endpoints without a declared requirement: " + string.Join(", ", undeclared));

        var tokens = new Dictionary<string, string>();
        foreach (var role in OperatorRole.Assignable)
        {
            tokens[role.Name] = await TokenForRoleAsync(role.Name);
        }

        using var client = Node.HttpsClient();
        var mismatches = new List<string>();

        // Logout revokes the caller's token, so it runs last.
        foreach (var endpoint in endpoints.Where(e => e.Access!.Requirement != EndpointAccess.Public).OrderBy(e => e.Path.EndsWith("/logout", StringComparison.Ordinal)))
        {
            var anonymous = await SendAsync(client, endpoint, token: null);
            if (anonymous != HttpStatusCode.Unauthorized)
            {
                mismatches.Add($"{endpoint.Display} anonymous: {(int)anonymous}, expected 401");
            }

            foreach (var role in OperatorRole.Assignable)
            {
                var allowed = endpoint.Access!.Requirement == EndpointAccess.AnyOperator || role.Permissions.Contains(endpoint.Access.Requirement);
                var status = await SendAsync(client, endpoint, tokens[role.Name]);
                var ok = allowed ? status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) : status == HttpStatusCode.Forbidden;
                if (!ok)
                {
                    mismatches.Add($"{endpoint.Display} as {role.Name}: {(int)status}, expected {(allowed ? "allowed" : "403")}");
                }
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        Assert.True(endpoints.Count >= 25, $"only {endpoints.Count} endpoints found");
    }

    [Fact]
    public void The_operator_guide_lists_exactly_the_roles_and_permissions_the_node_enforces()
    {
        var guide = File.ReadAllLines(Path.Combine(TestFiles.RepositoryRoot, "docs", "operators.md"));
        foreach (var role in OperatorRole.Assignable)
        {
            var row = guide.SingleOrDefault(line => line.StartsWith($"| {role.Name} |", StringComparison.Ordinal));
            Assert.NotNull(row);
            var cells = row.Split('|', StringSplitOptions.TrimEntries);
            var documented = cells[2].Split(',', StringSplitOptions.TrimEntries).ToHashSet();
            Assert.True(documented.SetEquals(role.Permissions), $"{role.Name}: docs say {cells[2]}, node has {string.Join(", ", role.Permissions)}");
            Assert.Equal(role.RequiresTotp ? "required" : "optional", cells[3]);
        }
    }

    [Fact]
    public async Task A_forbidden_answer_names_the_missing_permission()
    {
        using var client = Node.HttpsClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/audit");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenForRoleAsync("viewer"));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("needs the permission audit:read", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api()
    {
        using var client = Node.HttpsClient();

        var document = await client.GetStringAsync("openapi/v1.json");

        Assert.Contains("\"openapi\"", document, StringComparison.Ordinal);
        Assert.Contains("/api/v1/devices", document, StringComparison.Ordinal);
        Assert.Contains("/api/v1/approvals/{id}/approve", document, StringComparison.Ordinal);
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
        return (await services.GetRequiredService<ApiTokenService>().CreateAsync(OperatorIdentity.Of(user!), "matrix", null, TimeSpan.FromHours(1), CancellationToken.None)).Token;
    }

    private List<ApiEndpoint> ApiEndpoints() =>
        Node.Node.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => new ApiEndpoint(
                method,
                string.Join('/', e.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
                {
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                    _ => "999999", // nothing has this id: the answer is about access, not about a thing
                })))),
                e.Metadata.GetMetadata<EndpointAccess>())))
            .ToList();

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, ApiEndpoint endpoint, string? token)
    {
        using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), endpoint.Path.TrimStart('/'));
        if (endpoint.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private sealed record ApiEndpoint(string Method, string Path, EndpointAccess? Access)
    {
        public string Display => $"{Method} /{Path.TrimStart('/')}";
    }
}
