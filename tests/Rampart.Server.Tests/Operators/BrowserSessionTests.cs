using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Operators;

namespace Rampart.Server.Tests.Operators;

public sealed class BrowserSessionTests : NodeTestBase
{
    private const string Password = "tidal-orbit-quince-7-lantern";

    [Fact]
    public async Task A_browser_session_cookie_is_secure_httponly_strict_and_state_changes_need_the_antiforgery_token()
    {
        var users = Node.Node.Services.GetRequiredService<UserService>();
        var invitation = await users.InviteAsync("bob", "operator", null, null, "local-admin", CancellationToken.None);
        await users.ActivateAsync(invitation.Token, null, Password, CancellationToken.None);
        using var client = Node.HttpsClient();

        using var login = await client.PostAsJsonAsync("api/v1/auth/login", new { user = "bob", password = Password, session = "cookie" });
        var setCookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("rampart-session=", StringComparison.Ordinal));
        var whoami = await client.GetFromJsonAsync<JsonElement>("api/v1/auth/whoami");
        using var withoutAntiforgery = await client.PostAsJsonAsync("api/v1/tokens", new { name = "ci", lifetimeDays = 1 });
        var antiforgery = await client.GetFromJsonAsync<JsonElement>("api/v1/auth/antiforgery");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/tokens") { Content = JsonContent.Create(new { name = "ci", lifetimeDays = 1 }) };
        request.Headers.Add(antiforgery.GetProperty("headerName").GetString()!, antiforgery.GetProperty("token").GetString());
        using var withAntiforgery = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("bob", whoami.GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, withoutAntiforgery.StatusCode);
        Assert.Contains("antiforgery", await withoutAntiforgery.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, withAntiforgery.StatusCode);
    }

    [Fact]
    public async Task Disabling_a_user_ends_their_browser_session_at_once()
    {
        var users = Node.Node.Services.GetRequiredService<UserService>();
        var invitation = await users.InviteAsync("bob", "operator", null, null, "local-admin", CancellationToken.None);
        await users.ActivateAsync(invitation.Token, null, Password, CancellationToken.None);
        using var client = Node.HttpsClient();
        (await client.PostAsJsonAsync("api/v1/auth/login", new { user = "bob", password = Password, session = "cookie" })).Dispose();

        var before = (await client.GetAsync("api/v1/devices")).StatusCode;
        await users.DisableAsync("bob", "local-admin", CancellationToken.None);
        var after = (await client.GetAsync("api/v1/devices")).StatusCode;

        Assert.Equal(HttpStatusCode.OK, before);
        Assert.Equal(HttpStatusCode.Unauthorized, after);
    }

    [Fact]
    public async Task A_scoped_operator_sees_only_devices_of_their_site()
    {
        var services = Node.Node.Services;
        var inventory = services.GetRequiredService<Fleet.Inventory.InventoryService>();
        await inventory.AddAsync(new Fleet.Inventory.NewDevice("in-scope", Site: "plant-1"), "local-admin", CancellationToken.None);
        await inventory.AddAsync(new Fleet.Inventory.NewDevice("elsewhere", Site: "plant-2"), "local-admin", CancellationToken.None);
        var users = services.GetRequiredService<UserService>();
        var invitation = await users.InviteAsync("bob", "operator", ["plant-1"], null, "local-admin", CancellationToken.None);
        await users.ActivateAsync(invitation.Token, null, Password, CancellationToken.None);
        var token = await services.GetRequiredService<ApiTokenService>().CreateAsync(
            OperatorIdentity.Of((await users.GetActiveAsync("bob", CancellationToken.None))!), "t", null, TimeSpan.FromHours(1), CancellationToken.None);
        using var client = Node.HttpsClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Token);

        var list = await client.GetFromJsonAsync<JsonElement>("api/v1/devices");
        var hidden = await client.GetAsync("api/v1/devices/elsewhere");
        var retireHidden = await client.PostAsync("api/v1/devices/elsewhere/retire", null);

        Assert.Equal(["in-scope"], list.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, retireHidden.StatusCode);
        Assert.Equal(Fleet.Inventory.DeviceState.Registered, (await inventory.GetAsync("elsewhere", CancellationToken.None)).State);
    }
}
