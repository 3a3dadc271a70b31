using System.Security.Cryptography;
using System.Text;
using Rampart.Privacy.Keys;
using Rampart.Testing;

namespace Rampart.Privacy.Tests.Keys;

public sealed class EnvelopeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_sealed_field_opens_with_its_subject_s_key_and_not_under_another_pseudonym()
    {
        var envelope = new Envelope(KeyFolder.Open(_temp.Sub("keys")));
        var (dataKey, wrapped) = envelope.NewDataKey("ps-a");
        var sealedBytes = Envelope.SealWith(dataKey, Encoding.UTF8.GetBytes("Alice Example"), "ps-a");

        Assert.Equal("Alice Example", Encoding.UTF8.GetString(Envelope.OpenWith(envelope.Unwrap(wrapped, "ps-a"), sealedBytes, "ps-a")));
        Assert.ThrowsAny<CryptographicException>(() => Envelope.OpenWith(dataKey, sealedBytes, "ps-b"));
        Assert.ThrowsAny<CryptographicException>(() => envelope.Unwrap(wrapped, "ps-b"));
        Assert.DoesNotContain("Alice", Encoding.Latin1.GetString(sealedBytes), StringComparison.Ordinal);
    }

    [Fact]
    public void Rotation_rewraps_a_key_that_still_opens_the_old_data_and_retiring_the_old_kek_leaves_old_wraps_unreadable()
    {
        var keys = KeyFolder.Open(_temp.Sub("keys"));
        var envelope = new Envelope(keys);
        var (dataKey, wrapped) = envelope.NewDataKey("ps-a");
        var sealedBytes = Envelope.SealWith(dataKey, "x"u8, "ps-a");

        var version = keys.Rotate();
        var rewrapped = envelope.Rewrap(wrapped, "ps-a", version);
        keys.RetireBefore(version);

        Assert.Equal((1, 2), (wrapped.KekVersion, rewrapped.KekVersion));
        Assert.Equal("x"u8.ToArray(), Envelope.OpenWith(envelope.Unwrap(rewrapped, "ps-a"), sealedBytes, "ps-a"));
        Assert.ThrowsAny<CryptographicException>(() => envelope.Unwrap(wrapped, "ps-a"));
        Assert.False(File.Exists(Path.Combine(_temp.Sub("keys"), "privacy-kek-1.key")));
    }

    [Fact]
    public void The_keys_survive_a_restart_and_a_key_file_others_can_read_is_refused()
    {
        var directory = _temp.Sub("keys");
        var first = KeyFolder.Open(directory);
        first.Rotate();
        var reopened = KeyFolder.Open(directory);

        Assert.Equal(first.PseudonymKey, reopened.PseudonymKey);
        Assert.Equal(2, reopened.CurrentVersion);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "privacy-kek-2.key")));

        File.SetUnixFileMode(Path.Combine(directory, "privacy-kek-2.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var refused = Assert.Throws<InvalidOperationException>(() => KeyFolder.Open(directory));
        Assert.Contains("chmod 600", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Subject_pseudonyms_are_keyed_stable_and_reveal_nothing_of_the_id()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var pseudonyms = new Pseudonyms(key);

        Assert.Equal(pseudonyms.Subject("alice@example.org"), new Pseudonyms(key).Subject("alice@example.org"));
        Assert.NotEqual(pseudonyms.Subject("alice@example.org"), new Pseudonyms(RandomNumberGenerator.GetBytes(32)).Subject("alice@example.org"));
        Assert.Matches("^ps-[0-9a-f]{32}$", pseudonyms.Subject("alice@example.org"));
    }
}
