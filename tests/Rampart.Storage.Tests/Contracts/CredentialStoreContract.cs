using Rampart.Fleet.Approvals;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Operators.Passwords;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>Bootstrap, setup and API tokens, operators, invitations and approvals, the same on every provider.</summary>
public abstract class CredentialStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    [Fact]
    public async Task A_bootstrap_token_replaces_the_one_before_and_is_used_once_before_it_expires()
    {
        await AuditedAsync(t => Stores.Devices.TryAddAsync(t, AuditChainContract<TProvider>.NewDevice("d"), CancellationToken.None));
        var first = await AuditedAsync(t => Stores.BootstrapTokens.ReplaceForDeviceAsync(t, "d", [1], Start, Start.AddHours(1), CancellationToken.None));
        var second = await AuditedAsync(t => Stores.BootstrapTokens.ReplaceForDeviceAsync(t, "d", [2], Start, Start.AddHours(1), CancellationToken.None));

        Assert.NotNull((await Stores.BootstrapTokens.FindByHashAsync([1], CancellationToken.None))!.Revoked);
        Assert.False(await AuditedAsync(t => Stores.BootstrapTokens.TryUseAsync(t, first, Start, CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.BootstrapTokens.TryUseAsync(t, second, Start.AddHours(2), CancellationToken.None)));
        Assert.True(await AuditedAsync(t => Stores.BootstrapTokens.TryUseAsync(t, second, Start.AddMinutes(1), CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.BootstrapTokens.TryUseAsync(t, second, Start.AddMinutes(2), CancellationToken.None)));
        Assert.Equal(Start.AddMinutes(1), (await Stores.BootstrapTokens.FindByHashAsync([2], CancellationToken.None))!.Used);
    }

    [Fact]
    public async Task A_setup_token_replaces_the_one_before_and_is_consumed_once()
    {
        Assert.False(await Stores.SetupTokens.AnyIssuedAsync(CancellationToken.None));
        await AuditedAsync(t => Stores.SetupTokens.ReplaceAsync(t, [1], Start, Start.AddHours(1), Start, CancellationToken.None));
        var second = await AuditedAsync(t => Stores.SetupTokens.ReplaceAsync(t, [2], Start, Start.AddHours(1), Start, CancellationToken.None));

        Assert.True(await Stores.SetupTokens.AnyIssuedAsync(CancellationToken.None));
        Assert.Equal(second, (await Stores.SetupTokens.GetUsableAsync(Start, CancellationToken.None))!.Id);
        Assert.True(await AuditedAsync(t => Stores.SetupTokens.TryConsumeAsync(t, second, Start, CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.SetupTokens.TryConsumeAsync(t, second, Start, CancellationToken.None)));
        Assert.Null(await Stores.SetupTokens.GetUsableAsync(Start, CancellationToken.None));
    }

    [Fact]
    public async Task An_operator_is_pending_until_activated_and_logins_lock_and_unlock()
    {
        var user = new OperatorUser("alice", "admin", ["s1"], [], Pbkdf2PasswordHash.Create("correct horse", iterations: 1000), [7], false, false, 0, null, 0, Start);
        Assert.True(await AuditedAsync(t => Stores.Users.TryPutPendingAsync(t, user, CancellationToken.None)));
        Assert.False(await Stores.Users.AnyAdminAsync(CancellationToken.None));
        await AuditedAsync(async t =>
        {
            await Stores.Users.ActivateAsync(t, "alice", 5, CancellationToken.None);
            return true;
        });
        Assert.False(await AuditedAsync(t => Stores.Users.TryPutPendingAsync(t, user with { Role = "viewer" }, CancellationToken.None)));

        await AuditedAsync(t => Stores.Users.RecordLoginAsync(t, "alice", false, 0, Start.AddMinutes(15), CancellationToken.None));
        var locked = await Stores.Users.GetAsync("alice", CancellationToken.None);
        Assert.Equal((true, "admin", 1, Start.AddMinutes(15)), (locked!.Activated, locked.Role, locked.FailedLogins, locked.LockedUntil));
        Assert.True(locked.Password.Verify("correct horse"));

        // A rehash replaces the hash only if it is still the one read (a second, racing rehash loses).
        var argon = Argon2idPasswordHash.Create("correct horse", Argon2Parameters.OwaspMinimum);
        Assert.True(await AuditedAsync(t => Stores.Users.ReplacePasswordAsync(t, "alice", locked.Password.Encode(), argon, CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.Users.ReplacePasswordAsync(t, "alice", locked.Password.Encode(), argon, CancellationToken.None)));
        Assert.Equal(argon.Encode(), (await Stores.Users.GetAsync("alice", CancellationToken.None))!.Password.Encode());

        Assert.False(await AuditedAsync(t => Stores.Users.RecordLoginAsync(t, "alice", true, 5, null, CancellationToken.None)));
        Assert.True(await AuditedAsync(t => Stores.Users.RecordLoginAsync(t, "alice", true, 6, null, CancellationToken.None)));
        var unlocked = await Stores.Users.GetAsync("alice", CancellationToken.None);
        Assert.Equal((0, (DateTimeOffset?)null, 6L), (unlocked!.FailedLogins, unlocked.LockedUntil, unlocked.LastTotpStep));
        Assert.True(await Stores.Users.AnyAdminAsync(CancellationToken.None));
        Assert.True(await AuditedAsync(t => Stores.Users.DisableAsync(t, "alice", CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.Users.DisableAsync(t, "alice", CancellationToken.None)));
        Assert.False(await Stores.Users.AnyAdminAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_invitation_and_an_api_token_are_found_by_hash_and_used_or_revoked_once()
    {
        await AuditedAsync(t => Stores.Users.TryPutPendingAsync(t,
            new OperatorUser("bob", "operator", [], ["z"], Pbkdf2PasswordHash.Create("pw", iterations: 1000), null, true, false, 0, null, 0, Start), CancellationToken.None));
        await AuditedAsync(async t =>
        {
            await Stores.Users.AddInvitationAsync(t, new Invitation(0, [4], "carol", "viewer", [], [], "bob", Start.AddDays(1)), CancellationToken.None);
            return true;
        });
        var invitation = await Stores.Users.FindInvitationAsync([4], Start, CancellationToken.None);
        Assert.Equal("carol", invitation!.UserName);
        Assert.True(await AuditedAsync(t => Stores.Users.UseInvitationAsync(t, invitation.Id, Start, CancellationToken.None)));
        Assert.Null(await Stores.Users.FindInvitationAsync([4], Start, CancellationToken.None));

        var id = await AuditedAsync(t => Stores.ApiTokens.AddAsync(t,
            new ApiTokenRecord(0, "bob", "ci", [8, 8], ["devices:read"], Start, Start.AddDays(30), null), CancellationToken.None));
        Assert.Equal(["devices:read"], (await Stores.ApiTokens.FindByHashAsync([8, 8], CancellationToken.None))!.Scopes);
        Assert.Equal([id], (await Stores.ApiTokens.ListAsync("bob", CancellationToken.None)).Select(t => t.Id));
        Assert.True(await AuditedAsync(t => Stores.ApiTokens.RevokeAsync(t, id, Start, CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.ApiTokens.RevokeAsync(t, id, Start, CancellationToken.None)));
        Assert.Equal(Start, (await Stores.ApiTokens.GetAsync(id, CancellationToken.None))!.Revoked);
    }

    [Fact]
    public async Task An_approval_is_decided_once_and_listed_by_status()
    {
        var approval = new Approval(0, "bulk-revoke", "revoke 3", "{}", "devices:revoke", "bob", Start, Start.AddHours(1), ApprovalStatus.Pending, null, null, null);
        var first = await AuditedAsync(t => Stores.Approvals.AddAsync(t, approval, CancellationToken.None));
        var second = await AuditedAsync(t => Stores.Approvals.AddAsync(t, approval, CancellationToken.None));

        Assert.True(await AuditedAsync(t => Stores.Approvals.TryDecideAsync(t, first, ApprovalStatus.Executed, "carol", Start, null, CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.Approvals.TryDecideAsync(t, first, ApprovalStatus.Denied, "dave", Start, null, CancellationToken.None)));
        await AuditedAsync(async t =>
        {
            await Stores.Approvals.SetOutcomeAsync(t, first, ApprovalStatus.Failed, "device d gone", CancellationToken.None);
            return true;
        });

        Assert.Equal([second], (await Stores.Approvals.ListAsync(ApprovalStatus.Pending, 10, CancellationToken.None)).Select(a => a.Id));
        Assert.Equal([second, first], (await Stores.Approvals.ListAsync(null, 10, CancellationToken.None)).Select(a => a.Id));
        var decided = await Stores.Approvals.GetAsync(first, CancellationToken.None);
        Assert.Equal((ApprovalStatus.Failed, "carol", "device d gone"), (decided!.Status, decided.DecidedBy, decided.Result));
    }
}
