using System.Text.RegularExpressions;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Operators.Totp;

namespace Rampart.Server.Tests.Operators;

public sealed partial class AccountTests : IAsyncLifetime
{
    private const string Password = "tidal-orbit-quince-7-lantern";
    private FleetHarness _fleet = null!;

    public async Task InitializeAsync() => _fleet = await FleetHarness.CreateAsync();

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private UserService Users => _fleet.Get<UserService>();

    [Fact]
    public async Task The_first_administrator_activates_with_the_setup_token_and_must_prove_totp_before_it_is_spent()
    {
        var setup = (await _fleet.Get<SetupTokenService>().IssueFirstAsync(CancellationToken.None))!.Token;

        var started = await Users.ActivateAsync(setup, "alice", Password, CancellationToken.None);
        var secret = Base32.Decode(started.TotpSecret!);
        var wrong = await Assert.ThrowsAsync<FleetException>(() => Users.ConfirmAsync(setup, "alice", "000000", CancellationToken.None));
        await Users.ConfirmAsync(setup, "alice", _fleet.TotpCode(secret), CancellationToken.None);
        var reuse = await Assert.ThrowsAsync<FleetException>(() => Users.ActivateAsync(setup, "mallory", Password, CancellationToken.None));

        Assert.False(started.Activated);
        Assert.StartsWith("otpauth://totp/Rampart:alice?secret=", started.TotpUri, StringComparison.Ordinal);
        Assert.Equal(FleetErrorKind.Unauthorized, wrong.Kind);
        Assert.Equal(FleetErrorKind.Unauthorized, reuse.Kind);
        Assert.Equal("admin", (await Users.GetActiveAsync("alice", CancellationToken.None))!.Role);
    }

    [Fact]
    public async Task An_invitation_activates_one_operator_once_and_expires()
    {
        var invitation = await Users.InviteAsync("bob", "operator", ["plant-1"], null, "local-admin", CancellationToken.None);
        var late = await Users.InviteAsync("carol", "viewer", null, null, "local-admin", CancellationToken.None);

        var activated = await Users.ActivateAsync(invitation.Token, null, Password, CancellationToken.None);
        var again = await Assert.ThrowsAsync<FleetException>(() => Users.ActivateAsync(invitation.Token, null, Password + "x", CancellationToken.None));
        _fleet.Clock.Advance(TimeSpan.FromHours(25));
        var expired = await Assert.ThrowsAsync<FleetException>(() => Users.ActivateAsync(late.Token, null, Password, CancellationToken.None));

        Assert.True(activated.Activated);
        Assert.Null(activated.TotpSecret);
        Assert.Equal(FleetErrorKind.Unauthorized, again.Kind);
        Assert.Equal(FleetErrorKind.Unauthorized, expired.Kind);
        Assert.Equal(["plant-1"], (await Users.GetActiveAsync("bob", CancellationToken.None))!.Sites);
    }

    [Theory]
    [InlineData("short", "at least 12")]
    [InlineData("administrator123", "default or commonly used")]
    [InlineData("bob-the-builder-2026", "user name")]
    public async Task Activation_refuses_weak_passwords(string password, string reason)
    {
        var invitation = await Users.InviteAsync("bob", "operator", null, null, "local-admin", CancellationToken.None);

        var error = await Assert.ThrowsAsync<FleetException>(() => Users.ActivateAsync(invitation.Token, null, password, CancellationToken.None));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_needs_the_password_and_a_fresh_totp_code_for_roles_that_require_it()
    {
        var (_, secret) = await _fleet.OperatorAsync("sam", "security-officer");
        _fleet.Clock.Advance(TimeSpan.FromSeconds(30));
        var code = _fleet.TotpCode(secret!);

        var noCode = await Assert.ThrowsAsync<FleetException>(() => Users.LoginAsync("sam", Password, null, "192.0.2.1", CancellationToken.None));
        var identity = await Users.LoginAsync("sam", Password, code, "192.0.2.1", CancellationToken.None);
        var replay = await Assert.ThrowsAsync<FleetException>(() => Users.LoginAsync("sam", Password, code, "192.0.2.1", CancellationToken.None));

        Assert.Equal(FleetErrorKind.Unauthorized, noCode.Kind);
        Assert.Equal("security-officer", identity.Role);
        Assert.True(identity.Has(Permissions.CertsRevoke));
        Assert.Equal(FleetErrorKind.Unauthorized, replay.Kind);
        Assert.Equal("wrong user name, password or code", replay.Message);
    }

    [Fact]
    public async Task Failed_logins_back_off_exponentially_then_lock_the_account_for_15_minutes()
    {
        await _fleet.OperatorAsync("bob", "operator");
        var waits = new List<TimeSpan>();
        var failures = 0;
        while (failures < 10)
        {
            var error = await Assert.ThrowsAsync<FleetException>(() => Users.LoginAsync("bob", "not-the-password!", null, "192.0.2.1", CancellationToken.None));
            if (error.Kind == FleetErrorKind.RateLimited)
            {
                // Backing off: wait as told, then try again; a refused attempt is not a failure.
                var seconds = int.Parse(Seconds().Match(error.Message).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                waits.Add(TimeSpan.FromSeconds(seconds));
                _fleet.Clock.Advance(TimeSpan.FromSeconds(seconds));
                continue;
            }

            Assert.Equal(FleetErrorKind.Unauthorized, error.Kind);
            failures++;
        }

        var stillBackingOff = await Assert.ThrowsAsync<FleetException>(() => Users.LoginAsync("bob", Password, null, "192.0.2.1", CancellationToken.None));
        waits.Add(TimeSpan.FromSeconds(int.Parse(Seconds().Match(stillBackingOff.Message).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
        _fleet.Clock.Advance(waits[^1]);
        var locked = await Assert.ThrowsAsync<FleetException>(() => Users.LoginAsync("bob", Password, null, "198.51.100.9", CancellationToken.None));
        _fleet.Clock.Advance(TimeSpan.FromMinutes(16));
        var after = await Users.LoginAsync("bob", Password, null, "198.51.100.9", CancellationToken.None);

        Assert.Equal([1, 2, 4, 8, 16, 32, 64], waits.Select(w => (int)w.TotalSeconds));
        Assert.Equal(FleetErrorKind.Unauthorized, locked.Kind);
        Assert.Equal("wrong user name, password or code", locked.Message);
        Assert.Equal("bob", after.Name);
        var audit = await _fleet.AuditAsync();
        Assert.Contains(audit, e => e.Action == "user.locked" && e.Target == "user/bob");
        Assert.Contains(audit, e => e.Action == "user.login" && e.Outcome == "success" && e.Actor == "bob");
        Assert.DoesNotContain(audit, e => e.Details.Contains(Password, StringComparison.Ordinal) || e.Details.Contains("not-the-password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_users_and_disabled_users_get_the_same_answer_as_a_wrong_password()
    {
        await _fleet.OperatorAsync("bob", "operator");
        await Users.DisableAsync("bob", "local-admin", CancellationToken.None);

        var unknown = await Assert.ThrowsAsync<FleetException>(() => Users.LoginAsync("nobody", Password, null, "192.0.2.1", CancellationToken.None));
        var disabled = await Assert.ThrowsAsync<FleetException>(() => Users.LoginAsync("bob", Password, null, "192.0.2.2", CancellationToken.None));

        Assert.Equal(unknown.Message, disabled.Message);
    }

    [Fact]
    public async Task A_locked_account_answers_exactly_like_a_wrong_password_and_the_audit_keeps_the_reason()
    {
        await _fleet.OperatorAsync("bob", "operator");
        await _fleet.OperatorAsync("carol", "operator");
        for (var failures = 0; failures < 10; failures++)
        {
            // A new source each time, so only the account's own count moves (no per-source backoff in the way).
            await Assert.ThrowsAsync<FleetException>(() => Users.LoginAsync("bob", "not-the-password!", null, $"198.51.100.{failures + 1}", CancellationToken.None));
            _fleet.Clock.Advance(TimeSpan.FromMinutes(5));
        }

        Assert.NotNull((await _fleet.Get<IUserStore>().GetAsync("bob", CancellationToken.None))!.LockedUntil);
        var lockedWrongPassword = await Assert.ThrowsAsync<FleetException>(() => Users.LoginAsync("bob", "not-the-password!", null, "203.0.113.2", CancellationToken.None));
        _fleet.Clock.Advance(TimeSpan.FromMinutes(5)); // past the account's backoff, still inside its 15-minute lock
        var lockedRightPassword = await Assert.ThrowsAsync<FleetException>(() => Users.LoginAsync("bob", Password, null, "203.0.113.1", CancellationToken.None));
        var wrongPassword = await Assert.ThrowsAsync<FleetException>(() => Users.LoginAsync("carol", "not-the-password!", null, "203.0.113.3", CancellationToken.None));

        Assert.Equal((wrongPassword.Kind, wrongPassword.Message), (lockedRightPassword.Kind, lockedRightPassword.Message));
        Assert.Equal((wrongPassword.Kind, wrongPassword.Message), (lockedWrongPassword.Kind, lockedWrongPassword.Message));
        var audit = await _fleet.AuditAsync();
        Assert.Contains(audit, e => e.Action == "user.login" && e.Actor == "bob" && e.Outcome == "denied" && e.Details.Contains("account locked", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"retry in (\d+) s")]
    private static partial Regex Seconds();
}
