using Rampart.Adapters.Credentials;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>Device PSKs, legacy secrets and legacy flags (issue 21), the same on every provider.</summary>
public abstract class DeviceCredentialStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    private IDeviceCredentialStore Credentials => Stores.DeviceCredentials;

    [Fact]
    public async Task A_new_psk_replaces_the_one_in_force_and_the_old_one_is_kept_revoked()
    {
        var first = new DeviceCredential("d1", CredentialKind.Psk, "k1", [1, 1], [9, 9, 9], Start);
        Assert.Null(await AuditedAsync(t => Credentials.ReplaceAsync(t, first, CancellationToken.None)));
        var second = first with { KeyId = "k2", Verifier = [2, 2], Sealed = [8], Issued = Start.AddHours(1) };
        Assert.Equal("k1", await AuditedAsync(t => Credentials.ReplaceAsync(t, second, CancellationToken.None)));

        var active = await Credentials.GetActiveAsync("d1", CredentialKind.Psk, CancellationToken.None);
        Assert.Equal(("k2", Start.AddHours(1), (DateTimeOffset?)null), (active!.KeyId, active.Issued, active.Revoked));
        Assert.Equal([2, 2], active.Verifier);
        Assert.Equal([8], active.Sealed!);
        Assert.Null(await Credentials.GetActiveAsync("d1", CredentialKind.Legacy, CancellationToken.None));
        Assert.True(await Credentials.VerifierExistsAsync([1, 1], CancellationToken.None));
        Assert.False(await Credentials.VerifierExistsAsync([3], CancellationToken.None));

        Assert.Equal("k2", await AuditedAsync(t => Credentials.RevokeAsync(t, "d1", CredentialKind.Psk, Start.AddHours(2), CancellationToken.None)));
        Assert.Null(await Credentials.GetActiveAsync("d1", CredentialKind.Psk, CancellationToken.None));
        Assert.Null(await AuditedAsync(t => Credentials.RevokeAsync(t, "d1", CredentialKind.Psk, Start.AddHours(3), CancellationToken.None)));
    }

    [Fact]
    public async Task Two_devices_can_never_share_a_secret_and_a_failed_insert_leaves_nothing()
    {
        await AuditedAsync(t => Credentials.ReplaceAsync(t, new DeviceCredential("d1", CredentialKind.Legacy, "k1", [7, 7], null, Start), CancellationToken.None));
        await Assert.ThrowsAnyAsync<Exception>(() =>
            AuditedAsync(t => Credentials.ReplaceAsync(t, new DeviceCredential("d2", CredentialKind.Legacy, "k2", [7, 7], null, Start), CancellationToken.None)));

        Assert.Null(await Credentials.GetActiveAsync("d2", CredentialKind.Legacy, CancellationToken.None));
        Assert.Equal("k1", (await Credentials.GetActiveAsync("d1", CredentialKind.Legacy, CancellationToken.None))!.KeyId);
    }

    [Fact]
    public async Task A_legacy_flag_is_set_once_and_stays_an_open_finding_until_marked_replaced()
    {
        Assert.True(await AuditedAsync(t => Credentials.TryAddLegacyAsync(t, new LegacyRegistration("old-meter", "no TLS stack", "alice", Start), CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Credentials.TryAddLegacyAsync(t, new LegacyRegistration("old-meter", "again", "bob", Start), CancellationToken.None)));
        Assert.True(await AuditedAsync(t => Credentials.TryAddLegacyAsync(t, new LegacyRegistration("a-camera", "fixed firmware", "alice", Start), CancellationToken.None)));
        Assert.True(await AuditedAsync(t => Credentials.MarkReplacedAsync(t, "a-camera", Start.AddDays(1), CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Credentials.MarkReplacedAsync(t, "a-camera", Start.AddDays(2), CancellationToken.None)));

        var listed = await Credentials.ListLegacyAsync(CancellationToken.None);
        Assert.Equal(["old-meter", "a-camera"], listed.Select(r => r.DeviceId));
        Assert.Equal(new LegacyRegistration("old-meter", "no TLS stack", "alice", Start), listed[0]);
        Assert.Equal(Start.AddDays(1), (await Credentials.GetLegacyAsync("a-camera", CancellationToken.None))!.Replaced);
        Assert.Null(await Credentials.GetLegacyAsync("nobody", CancellationToken.None));
    }
}
