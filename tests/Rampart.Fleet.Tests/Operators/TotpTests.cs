using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Rampart.Fleet.Operators.Totp;
using Rampart.Testing;

namespace Rampart.Fleet.Tests.Operators;

public sealed class TotpTests
{
    public static TheoryData<long, string, string> Rfc6238Vectors()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(TestFiles.PathOf("vectors/rfc6238_totp_vectors.json")));
        var data = new TheoryData<long, string, string>();
        foreach (var vector in document.RootElement.GetProperty("vectors").EnumerateArray())
        {
            data.Add(vector.GetProperty("time").GetInt64(), vector.GetProperty("mode").GetString()!, vector.GetProperty("totp").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rfc6238Vectors))]
    public void The_generator_reproduces_the_rfc_6238_appendix_b_vectors(long time, string mode, string expected)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(TestFiles.PathOf("vectors/rfc6238_totp_vectors.json")));
        var seed = Encoding.ASCII.GetBytes(document.RootElement.GetProperty("seeds_ascii").GetProperty(mode).GetString()!);

        var code = TotpGenerator.Code(seed, TotpGenerator.StepOf(DateTimeOffset.FromUnixTimeSeconds(time)), new HashAlgorithmName(mode), digits: 8);

        Assert.Equal(expected, code);
    }

    [Fact]
    public void A_code_is_accepted_one_step_either_side_and_not_two()
    {
        var secret = RandomNumberGenerator.GetBytes(20);
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var step = TotpGenerator.StepOf(now);

        Assert.Equal(step - 1, TotpGenerator.MatchingStep(secret, TotpGenerator.Code(secret, step - 1, HashAlgorithmName.SHA1), now));
        Assert.Equal(step, TotpGenerator.MatchingStep(secret, TotpGenerator.Code(secret, step, HashAlgorithmName.SHA1), now));
        Assert.Equal(step + 1, TotpGenerator.MatchingStep(secret, TotpGenerator.Code(secret, step + 1, HashAlgorithmName.SHA1), now));
        Assert.Null(TotpGenerator.MatchingStep(secret, TotpGenerator.Code(secret, step + 2, HashAlgorithmName.SHA1), now));
        Assert.Null(TotpGenerator.MatchingStep(secret, TotpGenerator.Code(secret, step - 2, HashAlgorithmName.SHA1), now));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12a456")]
    public void Malformed_codes_never_match(string? code) =>
        Assert.Null(TotpGenerator.MatchingStep(new byte[20], code, DateTimeOffset.UnixEpoch));

    [Theory]
    [InlineData("", "")]
    [InlineData("f", "MY")]
    [InlineData("fo", "MZXQ")]
    [InlineData("foo", "MZXW6")]
    [InlineData("foob", "MZXW6YQ")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI")]
    public void Base32_matches_rfc_4648_section_10_without_padding(string input, string expected)
    {
        Assert.Equal(expected, Base32.Encode(Encoding.ASCII.GetBytes(input)));
        Assert.Equal(input, Encoding.ASCII.GetString(Base32.Decode(expected.ToLowerInvariant())));
    }

    [Fact]
    public void The_otpauth_uri_names_issuer_account_and_parameters()
    {
        var uri = TotpGenerator.Uri("Rampart", "alice", Encoding.ASCII.GetBytes("12345678901234567890"));

        Assert.Equal("otpauth://totp/Rampart:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Rampart&algorithm=SHA1&digits=6&period=30", uri);
    }
}
