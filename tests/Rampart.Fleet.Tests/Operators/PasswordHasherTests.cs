using Microsoft.Extensions.Options;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Operators.Passwords;

namespace Rampart.Fleet.Tests.Operators;

public sealed class PasswordHasherTests
{
    private const string Password = "tidal-orbit-quince-7-lantern";

    [Fact]
    public void Slots_are_sized_from_memory_and_bounded_both_ways()
    {
        var owasp = Argon2Parameters.OwaspMinimum;

        // 1 GiB available: an eighth is 128 MiB, six 19 MiB derivations.
        Assert.Equal(6, PasswordHasher.SlotsFor(owasp, 1L << 30));
        Assert.Equal(1, PasswordHasher.SlotsFor(owasp, 16L << 20));
        Assert.Equal(PasswordHasher.MaximumSlots, PasswordHasher.SlotsFor(owasp, 1L << 40));
    }

    [Fact]
    public async Task A_login_that_finds_every_slot_taken_waits_then_is_refused_as_rate_limited()
    {
        using var hasher = Hasher(slots: 1, wait: TimeSpan.FromMilliseconds(100));
        var stored = await hasher.HashAsync(Password, CancellationToken.None);

        using (await hasher.AcquireAsync(CancellationToken.None))
        {
            var refused = await Assert.ThrowsAsync<FleetException>(() => hasher.VerifyAsync(stored, Password, CancellationToken.None));
            Assert.Equal(FleetErrorKind.RateLimited, refused.Kind);
            Assert.Contains("busy", refused.Message, StringComparison.Ordinal);
        }

        Assert.True(await hasher.VerifyAsync(stored, Password, CancellationToken.None));
    }

    [Fact]
    public async Task A_login_that_waits_less_than_the_limit_for_a_slot_goes_through()
    {
        using var hasher = Hasher(slots: 1, wait: TimeSpan.FromSeconds(30));
        var stored = await hasher.HashAsync(Password, CancellationToken.None);
        var slot = await hasher.AcquireAsync(CancellationToken.None);

        var waiting = hasher.VerifyAsync(stored, Password, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        slot.Dispose();

        Assert.True(await waiting);
    }

    [Fact]
    public async Task An_unknown_user_is_checked_against_a_decoy_and_never_matches()
    {
        using var hasher = Hasher(slots: 2, wait: TimeSpan.FromSeconds(5));

        Assert.False(await hasher.VerifyAsync(null, Password, CancellationToken.None));
        Assert.False(await hasher.VerifyAsync(null, "decoy-", CancellationToken.None));
    }

    [Fact]
    public void Settings_weaker_than_owasp_are_refused_when_the_hasher_is_built() =>
        Assert.Throws<OptionsValidationException>(() => new PasswordHasher(Options.Create(new OperatorOptions { PasswordMemoryKiB = 8192 })));

    private static PasswordHasher Hasher(int slots, TimeSpan wait) =>
        new(Options.Create(new OperatorOptions { ConcurrentPasswordHashes = slots, PasswordHashWait = wait }));
}
