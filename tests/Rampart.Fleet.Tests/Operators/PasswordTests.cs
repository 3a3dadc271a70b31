using Rampart.Fleet.Operators.Passwords;
using Rampart.Testing;

namespace Rampart.Fleet.Tests.Operators;

public sealed class PasswordTests
{
    [Theory]
    [InlineData("short", "at least 12")]
    [InlineData("password1234", "default or commonly used")]
    [InlineData("PASSWORD1234", "default or commonly used")]
    [InlineData("correcthorsebatterystaple", "default or commonly used")]
    [InlineData("alice-is-the-admin-2026", "user name")]
    public void Weak_passwords_are_refused_with_the_reason(string password, string reason) =>
        Assert.Contains(reason, PasswordPolicy.Check(password, "alice"), StringComparison.Ordinal);

    [Fact]
    public void Every_password_of_the_default_credential_list_is_refused()
    {
        var entries = File.ReadAllLines(TestFiles.PathOf("default-credentials/mirai-scanner.tsv"))
            .Where(line => line.Length > 0 && !line.StartsWith('#')).Select(line => line.Split('\t')).ToArray();

        Assert.NotEmpty(entries);
        Assert.All(entries, fields => Assert.NotNull(PasswordPolicy.Check(fields[1], "someone")));
        // The list itself is bundled, not only the length rule: every non-blank entry is known.
        Assert.All(entries.Where(fields => fields[1].Length > 0), fields => Assert.True(PasswordPolicy.IsKnown(fields[1]), fields[1]));
    }

    [Fact]
    public void A_long_unusual_password_is_accepted() => Assert.Null(PasswordPolicy.Check("tidal-orbit-quince-7-lantern", "alice"));

    [Fact]
    public void Hashes_use_pbkdf2_sha256_with_600000_iterations_and_a_random_salt()
    {
        var one = PasswordHash.Create("tidal-orbit-quince-7-lantern");
        var two = PasswordHash.Create("tidal-orbit-quince-7-lantern");

        Assert.Equal(600_000, one.Iterations);
        Assert.StartsWith("pbkdf2-sha256$600000$", one.Encode(), StringComparison.Ordinal);
        Assert.NotEqual(one.Salt, two.Salt);
        Assert.NotEqual(one.Hash, two.Hash);
        Assert.True(PasswordHash.Decode(one.Encode()).Verify("tidal-orbit-quince-7-lantern"));
        Assert.False(one.Verify("tidal-orbit-quince-7-lanterN"));
        Assert.False(one.Verify(null));
    }
}
