using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Rampart.Testing;
using Rampart.Updates.Firmware;

namespace Rampart.Updates.Tests.Firmware;

/// <summary>
/// ML-DSA-65 (FIPS 204), the optional third manifest signature (SignedManifestTests checks it on manifests). No FIPS 204 known-answer vectors are
/// at hand, so BouncyCastle (which Rampart signs and verifies with) is cross-checked against noble's
/// independent implementation in both directions: the same seed gives the same public key, each
/// verifies the other's signatures, and neither accepts a changed message.
/// </summary>
public sealed class MlDsa65Tests : IDisposable
{
    private static readonly byte[] Image = Encoding.ASCII.GetBytes(new string('y', 2048));
    private readonly MlDsa65 _mlDsa = MlDsa65.Create();

    public void Dispose() => _mlDsa.Dispose();

    [Fact]
    public async Task Rampart_and_noble_derive_the_same_key_from_a_seed_and_verify_each_others_signatures()
    {
        var seed = RandomNumberGenerator.GetBytes(MlDsa65.SeedLength);
        using var key = MlDsa65.FromSeed(seed);
        var message = FirmwareManifest.For("meter-x", "3.0.0", 9, ["rev-b"], Image).CanonicalBytes();
        var ours = key.Sign(message);

        var (exit, output) = await RunningProcess.RunAsync("node",
            [Path.Combine(TestFiles.RepositoryRoot, "tests", "interop", "mldsa65-cross.mjs"), Convert.ToHexStringLower(seed), Convert.ToHexStringLower(message), Convert.ToHexStringLower(ours)],
            TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, output);
        var noble = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;

        Assert.Equal(Convert.ToHexStringLower(key.PublicKey), noble.GetProperty("publicKey").GetString());
        Assert.True(noble.GetProperty("rampartSignatureVerifies").GetBoolean());
        Assert.False(noble.GetProperty("tamperedMessageVerifies").GetBoolean());
        var theirs = Convert.FromHexString(noble.GetProperty("nobleSignature").GetString()!);
        Assert.Equal(MlDsa65.SignatureLength, theirs.Length);
        Assert.True(MlDsa65.Verify(key.PublicKey, message, theirs));
        var changed = (byte[])message.Clone();
        changed[^1] ^= 1;
        Assert.False(MlDsa65.Verify(key.PublicKey, changed, theirs));
    }

    [Fact]
    public void Malformed_keys_and_signatures_are_refused_not_thrown()
    {
        var message = "m"u8.ToArray();
        var signature = _mlDsa.Sign(message);

        Assert.True(MlDsa65.Verify(_mlDsa.PublicKey, message, signature));
        Assert.False(MlDsa65.Verify(_mlDsa.PublicKey[..100], message, signature));
        Assert.False(MlDsa65.Verify(_mlDsa.PublicKey, message, signature[..^1]));
        Assert.False(MlDsa65.Verify(new byte[MlDsa65.PublicKeyLength], message, signature));
        Assert.Throws<ArgumentException>(() => MlDsa65.FromSeed(new byte[31]));
        using var again = MlDsa65.FromSeed(_mlDsa.ExportSeed());
        Assert.Equal(_mlDsa.PublicKey, again.PublicKey);
    }
}
