using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Rampart.Testing;
using Rampart.Updates.Lms;

namespace Rampart.Updates.Tests.Lms;

/// <summary>HSS/LMS verification against RFC 8554 Appendix F, and everything a forger could change.</summary>
public sealed class LmsVerifierTests
{
    public static TheoryData<string> Cases => new(Vectors().Select(v => v.Name));

    private static IReadOnlyList<Vector> Vectors()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(TestFiles.PathOf("vectors/rfc8554_testcases.json")));
        return json.RootElement.GetProperty("testcases").EnumerateArray().Select(c => new Vector(
            c.GetProperty("name").GetString()!,
            Convert.FromHexString(c.GetProperty("hss_public_key").GetString()!),
            Convert.FromHexString(c.GetProperty("message").GetString()!),
            Convert.FromHexString(c.GetProperty("hss_signature").GetString()!))).ToArray();
    }

    private static Vector Case(string name) => Vectors().Single(v => v.Name == name);

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_RFC_8554_test_case_verifies(string name)
    {
        var vector = Case(name);
        Assert.True(LmsVerifier.VerifyHss(vector.PublicKey, vector.Message, vector.Signature));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_changed_message_is_refused(string name)
    {
        var vector = Case(name);
        var message = vector.Message.ToArray();
        message[^1] ^= 0x01;
        Assert.False(LmsVerifier.VerifyHss(vector.PublicKey, message, vector.Signature));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_truncated_or_extended_signature_is_refused(string name)
    {
        var vector = Case(name);
        Assert.False(LmsVerifier.VerifyHss(vector.PublicKey, vector.Message, vector.Signature[..^1]));
        Assert.False(LmsVerifier.VerifyHss(vector.PublicKey, vector.Message, [.. vector.Signature, 0]));
        Assert.False(LmsVerifier.VerifyHss(vector.PublicKey[..^1], vector.Message, vector.Signature));
    }

    [Fact]
    public void Any_single_flipped_bit_in_signature_or_key_is_refused()
    {
        var vector = Case("TC1");
        var positions = Gen.Choose(0, ((vector.Signature.Length + vector.PublicKey.Length) * 8) - 1);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(positions.ToArbitrary(), bit =>
        {
            var signature = vector.Signature.ToArray();
            var key = vector.PublicKey.ToArray();
            var target = bit / 8 < signature.Length ? signature : key;
            var index = bit / 8 < signature.Length ? bit / 8 : (bit / 8) - signature.Length;
            target[index] ^= (byte)(1 << (bit % 8));
            return !LmsVerifier.VerifyHss(key, vector.Message, signature);
        }));
    }

    [Fact]
    public void Random_bytes_never_verify_and_never_throw() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<byte[]>(), (key, signature) =>
            !LmsVerifier.VerifyHss(key, "m"u8, signature) && !LmsVerifier.Verify(key, "m"u8, signature)));

    private sealed record Vector(string Name, byte[] PublicKey, byte[] Message, byte[] Signature);
}
