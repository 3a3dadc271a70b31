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
