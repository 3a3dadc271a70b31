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
    public void New_hashes_are_argon2id_in_phc_form_with_a_random_salt_and_check_in_constant_time()
    {
        var one = Argon2idPasswordHash.Create("tidal-orbit-quince-7-lantern", Argon2Parameters.OwaspMinimum);
        var two = Argon2idPasswordHash.Create("tidal-orbit-quince-7-lantern", Argon2Parameters.OwaspMinimum);

        Assert.Matches(@"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$", one.Encode());
        Assert.NotEqual(one.Salt, two.Salt);
        Assert.NotEqual(one.Hash, two.Hash);
        Assert.True(PasswordHash.Decode(one.Encode()).Verify("tidal-orbit-quince-7-lantern"));
        Assert.False(one.Verify("tidal-orbit-quince-7-lanterN"));
        Assert.False(one.Verify(null));
        Assert.False(one.Verify(new string('a', PasswordPolicy.MaximumLength + 1)));
    }

    [Fact]
    public void Argon2id_matches_the_rfc_9106_known_answer()
    {
        // RFC 9106 §5.3: Argon2id, m = 32 KiB, t = 3, p = 4, password 32 × 0x01, salt 16 × 0x02,
        // secret 8 × 0x03, associated data 12 × 0x04, 32-byte tag. (Below OWASP's floor on purpose:
        // the vector checks the algorithm, not the cost.)
        var tag = Argon2idPasswordHash.Derive(Filled(32, 1), Filled(16, 2), new Argon2Parameters(32, 3, 4), Filled(8, 3), Filled(12, 4));

        Assert.Equal("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659", Convert.ToHexStringLower(tag));
    }

    [Theory]
    [InlineData("$argon2id$v=19$m=4096,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")]
    [InlineData("$argon2id$v=19$m=19456,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")]
    [InlineData("$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")]
    [InlineData("$argon2id$v=16$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")]
    [InlineData("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")]
    [InlineData("$argon2id$v=19$m=19456,t=2$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")]
    [InlineData("pbkdf2-sha256$99999999999$AAAA$AAAA")]
    [InlineData("md5$abc")]
    public void A_stored_hash_below_the_floor_above_the_bounds_or_malformed_is_refused(string encoded) =>
        Assert.Throws<FormatException>(() => PasswordHash.Decode(encoded));

    [Fact]
    public void A_pbkdf2_hash_still_verifies_and_always_asks_for_a_rehash()
    {
        var old = Pbkdf2PasswordHash.Create("tidal-orbit-quince-7-lantern", 600_000);
        var decoded = PasswordHash.Decode(old.Encode());

        Assert.StartsWith("pbkdf2-sha256$600000$", old.Encode(), StringComparison.Ordinal);
        Assert.True(decoded.Verify("tidal-orbit-quince-7-lantern"));
        Assert.False(decoded.Verify("tidal-orbit-quince-7-lanterN"));
        Assert.True(decoded.IsWeakerThan(Argon2Parameters.OwaspMinimum));
        Assert.False(Argon2idPasswordHash.Create("x", Argon2Parameters.OwaspMinimum).IsWeakerThan(Argon2Parameters.OwaspMinimum));
        Assert.True(Argon2idPasswordHash.Create("x", Argon2Parameters.OwaspMinimum).IsWeakerThan(Argon2Parameters.OwaspMinimum with { MemoryKiB = 32 * 1024 }));
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}
