using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Operators.Passwords;

namespace Rampart.Server.Tests.Keys;

/// <summary>Operators whose password was stored as PBKDF2 move to Argon2id at their next successful login.</summary>
public sealed class PasswordRehashTests : IAsyncLifetime
{
    private const string Password = "tidal-orbit-quince-7-lantern";
    private FleetHarness _fleet = null!;

    public async Task InitializeAsync() => _fleet = await FleetHarness.CreateAsync();

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    [Fact]
    public async Task A_pbkdf2_hash_is_replaced_by_argon2id_at_the_next_successful_login_in_the_login_transaction()
    {
        await _fleet.OperatorAsync("bob", "operator", password: Password);
        var legacy = await StoreLegacyHashAsync("bob");
        var users = _fleet.Get<UserService>();

        var wrong = await Assert.ThrowsAsync<FleetException>(() => users.LoginAsync("bob", Password + "!", null, "192.0.2.7", CancellationToken.None));
        var afterWrong = await _fleet.Get<IUserStore>().GetAsync("bob", CancellationToken.None);
        await users.LoginAsync("bob", Password, null, "192.0.2.7", CancellationToken.None);
        var afterLogin = await _fleet.Get<IUserStore>().GetAsync("bob", CancellationToken.None);
        await users.LoginAsync("bob", Password, null, "192.0.2.7", CancellationToken.None);

        Assert.Equal(FleetErrorKind.Unauthorized, wrong.Kind);
        Assert.Equal(legacy.Encode(), afterWrong!.Password.Encode()); // a wrong password never rehashes
        var argon = Assert.IsType<Argon2idPasswordHash>(afterLogin!.Password);
        Assert.Equal(Argon2Parameters.OwaspMinimum, argon.Parameters);
        Assert.True(argon.Verify(Password));

        var audit = await _fleet.AuditAsync();
        var rehashed = Assert.Single(audit, entry => entry.Action == "user.password-rehashed");
        var details = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(rehashed.Details)!;
        Assert.Equal(("pbkdf2-sha256", "argon2id m=19456,t=2,p=1"), (details["from"], details["to"]));
        // The same commit as the login it rode on: consecutive entries, the login first.
        var login = audit.Single(entry => entry.Sequence == rehashed.Sequence - 1);
        Assert.Equal(("user.login", "success"), (login.Action, login.Outcome));
        Assert.Equal(2, audit.Count(entry => entry is { Action: "user.login", Outcome: "success" }));
    }

    [Fact]
    public async Task New_operators_get_argon2id_hashes_and_are_not_rehashed()
    {
        await _fleet.OperatorAsync("dave", "operator", password: Password);
        await _fleet.Get<UserService>().LoginAsync("dave", Password, null, "192.0.2.8", CancellationToken.None);

        var stored = await _fleet.Get<IUserStore>().GetAsync("dave", CancellationToken.None);
        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", stored!.Password.Encode(), StringComparison.Ordinal);
        Assert.DoesNotContain(await _fleet.AuditAsync(), entry => entry.Action == "user.password-rehashed");
    }

    // As a node before Argon2id wrote it: PBKDF2-SHA256, 600,000 iterations.
    private async Task<PasswordHash> StoreLegacyHashAsync(string name)
    {
        var store = _fleet.Get<IUserStore>();
        var current = (await store.GetAsync(name, CancellationToken.None))!.Password.Encode();
        var legacy = Pbkdf2PasswordHash.Create(Password, 600_000);
        await _fleet.Get<IAuditLog>().CommitAsync(async (transaction, cancellationToken) =>
            AuditedOutcome<bool>.Done(await store.ReplacePasswordAsync(transaction, name, current, legacy, cancellationToken),
                new AuditRecord("test", "test.legacy-hash", $"user/{name}", AuditOutcome.Success)));
        return legacy;
    }
}

/// <summary>A burst of logins larger than the hashing slots gets a clear 429, not an exhausted node.</summary>
public sealed class PasswordHashingBusyTests : NodeTestBase
{
    [Fact]
    public async Task A_login_while_every_hashing_slot_is_taken_is_answered_429_with_the_reason()
    {
        var hasher = Node.Node.Services.GetRequiredService<PasswordHasher>();
        var held = new List<IDisposable>();
        for (var i = 0; i < hasher.Slots; i++)
        {
            held.Add(await hasher.AcquireAsync(CancellationToken.None));
        }

        using var client = Node.HttpsClient();
        using (var busy = await client.PostAsJsonAsync("api/v1/auth/login", new { user = "nobody", password = "tidal-orbit-quince-7-lantern" }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, busy.StatusCode);
            Assert.Contains("busy checking other passwords", await busy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        held.ForEach(slot => slot.Dispose());
        using var answered = await client.PostAsJsonAsync("api/v1/auth/login", new { user = "nobody", password = "tidal-orbit-quince-7-lantern" });
        Assert.Equal(HttpStatusCode.Unauthorized, answered.StatusCode);
    }
}
