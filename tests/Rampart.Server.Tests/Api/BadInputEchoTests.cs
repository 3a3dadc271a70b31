using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Operators;

namespace Rampart.Server.Tests.Api;

/// <summary>A refusal says what was wrong without sending the bad input back.</summary>
public sealed class BadInputEchoTests : NodeTestBase
{
    [Fact]
    public async Task A_400_for_a_100_kB_device_id_quotes_only_its_first_64_characters_once()
    {
        using var client = await OperatorClientAsync();
        var id = new string('z', 100_000);

        using var response = await client.PostAsJsonAsync("api/v1/devices", new { id });
        var text = await response.Content.ReadAsStringAsync();
        using var problem = JsonDocument.Parse(text);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(text.Length < 1024, $"{text.Length} characters answered");
        Assert.Equal("Bad Request", problem.RootElement.GetProperty("title").GetString());
        Assert.StartsWith($"device id '{new string('z', 64)}…' must be", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_device_id_of_dots_is_refused_when_added()
    {
        using var client = await OperatorClientAsync();

        using var dot = await client.PostAsJsonAsync("api/v1/devices", new { id = "." });
        using var dots = await client.PostAsJsonAsync("api/v1/devices", new { id = ".." });

        Assert.Equal(HttpStatusCode.BadRequest, dot.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, dots.StatusCode);
    }

    [Theory]
    [InlineData("api/v1/devices", """{"model":"m"}""", "'id'")]
    [InlineData("api/v1/devices", """{"id":5}""", "$.id")]
    [InlineData("api/v1/devices", """{"id":""", "request body")]
    [InlineData("api/v1/devices", """[1,2]""", "request body")]
    [InlineData("api/v1/auth/login", """{"user":"bob"}""", "'password'")]
    [InlineData("api/v1/auth/login", """{"user":"bob","password":null}""", "password")]
    public async Task A_bad_json_body_is_answered_400_with_a_problem_that_names_the_field_and_no_stack_trace(string path, string body, string named)
    {
        using var client = await OperatorClientAsync();

        using var response = await client.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        var detail = problem.RootElement.GetProperty("detail").GetString()!;
        Assert.Contains(named, detail, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\bat [\w.]+\(", text); // no stack frame
        Assert.DoesNotContain("exception", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Rampart.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_json_body_over_the_limit_stays_413()
    {
        using var client = await OperatorClientAsync();
        var body = "{\"id\":\"" + new string('a', 2 * 1024 * 1024) + "\"}";

        using var response = await client.PostAsync("api/v1/devices", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    private async Task<HttpClient> OperatorClientAsync()
    {
        var services = Node.Node.Services;
        var users = services.GetRequiredService<UserService>();
        var invitation = await users.InviteAsync("bob", "operator", null, null, "local-admin", CancellationToken.None);
        await users.ActivateAsync(invitation.Token, null, "tidal-orbit-quince-7-lantern", CancellationToken.None);
        var token = await services.GetRequiredService<ApiTokenService>().CreateAsync(
            OperatorIdentity.Of((await users.GetActiveAsync("bob", CancellationToken.None))!), "t", null, TimeSpan.FromHours(1), CancellationToken.None);
        var client = Node.HttpsClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return client;
    }
}
