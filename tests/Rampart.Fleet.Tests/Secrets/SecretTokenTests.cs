using System.Buffers.Text;
using Rampart.Fleet.Secrets;

namespace Rampart.Fleet.Tests.Secrets;

public sealed class SecretTokenTests
{
    [Fact]
    public void A_token_carries_at_least_128_random_bits_after_its_prefix()
    {
        var token = SecretToken.Generate("p-");

        Assert.StartsWith("p-", token, StringComparison.Ordinal);
        var randomness = Base64Url.DecodeFromChars(token.AsSpan(2));
        Assert.True(randomness.Length * 8 >= 128);
        Assert.Equal(SecretToken.EntropyBytes, randomness.Length);
    }

    [Fact]
    public void Tokens_do_not_repeat()
    {
        var tokens = Enumerable.Range(0, 1000).Select(_ => SecretToken.Generate("p-")).ToHashSet();

        Assert.Equal(1000, tokens.Count);
    }

    [Fact]
    public void Only_the_token_itself_matches_its_hash()
    {
        var token = SecretToken.Generate("p-");
        var hash = SecretToken.Hash(token);

        Assert.True(SecretToken.Matches(token, hash));
        Assert.False(SecretToken.Matches(token + "x", hash));
        Assert.False(SecretToken.Matches(token[..^1], hash));
        Assert.False(SecretToken.Matches(null, hash));
        Assert.False(SecretToken.Matches(string.Empty, hash));
    }

    [Fact]
    public void An_overlong_presented_token_is_refused_before_hashing() =>
        Assert.False(SecretToken.Matches(new string('a', SecretToken.MaxLength + 1), SecretToken.Hash(new string('a', SecretToken.MaxLength + 1))));
}
