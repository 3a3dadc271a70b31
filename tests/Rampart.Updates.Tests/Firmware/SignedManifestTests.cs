using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Rampart.Testing;
using Rampart.Updates.Firmware;
using Rampart.Updates.Lms;

namespace Rampart.Updates.Tests.Firmware;

/// <summary>Firmware manifests signed with ECDSA and LMS: both must verify, the image must match, the svn must not go down.</summary>
public sealed class SignedManifestTests : IAsyncLifetime
{
    private static readonly byte[] Image = Encoding.ASCII.GetBytes(new string('x', 4096));
    private readonly TempDirectory _temp = new();
    private readonly ECDsa _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly MlDsa65 _mlDsa = MlDsa65.Create();
    private LmsSigner _lms = null!;

    public async Task InitializeAsync() =>
        _lms = await LmsSigner.CreateAsync(LmsType.Sha256M32H5, LmOtsType.Sha256N32W4, new FileLmsStateStore(_temp.Sub("lms-state")), CancellationToken.None);

    public Task DisposeAsync()
    {
        _lms.Dispose();
        _ecdsa.Dispose();
        _mlDsa.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private Task<byte[]> SignedAsync(long svn = 7) =>
        SignedManifest.SignAsync(FirmwareManifest.For("meter-x", "2.1.0", svn, ["rev-b", "rev-c"], Image), _ecdsa, _lms, CancellationToken.None);

    [Fact]
    public async Task A_manifest_signed_with_both_keys_verifies_with_its_image()
    {
        var (manifest, refusal) = SignedManifest.Verify(await SignedAsync(), _ecdsa, _lms.PublicKey, installedSecurityVersion: 7, Image);

        Assert.Null(refusal);
        Assert.Equal(("meter-x", "2.1.0", 7L, 4096L), (manifest!.Model, manifest.Version, manifest.SecurityVersion, manifest.ImageLength));
    }

    [Fact]
    public async Task A_manifest_changed_after_signing_is_refused()
    {
        var envelope = JsonNode.Parse(await SignedAsync())!;
        envelope["manifest"]!["svn"] = 99;
        Assert.Equal("the ECDSA signature does not verify", SignedManifest.Verify(Encoding.UTF8.GetBytes(envelope.ToJsonString()), _ecdsa, _lms.PublicKey, 0).Refusal);
    }

    [Fact]
    public async Task Each_signature_is_required_on_its_own()
    {
        var bytes = await SignedAsync();
        using var otherEcdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Equal("the ECDSA signature does not verify", SignedManifest.Verify(bytes, otherEcdsa, _lms.PublicKey, 0).Refusal);

        using var otherLms = await LmsSigner.CreateAsync(LmsType.Sha256M32H5, LmOtsType.Sha256N32W4, new FileLmsStateStore(_temp.Sub("other")), CancellationToken.None);
        Assert.Equal("the LMS signature does not verify", SignedManifest.Verify(bytes, _ecdsa, otherLms.PublicKey, 0).Refusal);

        var withoutLms = JsonNode.Parse(bytes)!;
        withoutLms["signatures"]!.AsObject().Remove("lms");
        Assert.Equal("the LMS signature does not verify", SignedManifest.Verify(Encoding.UTF8.GetBytes(withoutLms.ToJsonString()), _ecdsa, _lms.PublicKey, 0).Refusal);
    }

    [Fact]
    public async Task A_lower_security_version_than_installed_is_refused_as_rollback()
    {
        var refusal = SignedManifest.Verify(await SignedAsync(svn: 6), _ecdsa, _lms.PublicKey, installedSecurityVersion: 7).Refusal;
        Assert.Contains("rollback", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_other_than_the_signed_one_is_refused()
    {
        var other = Image.ToArray();
        other[100] ^= 1;
        Assert.Equal("the image does not match the manifest's hash and length", SignedManifest.Verify(await SignedAsync(), _ecdsa, _lms.PublicKey, 0, other).Refusal);
    }

    [Theory]
    [InlineData("2.1")]
    [InlineData("v2.1.0")]
    [InlineData("02.1.0")]
    public void A_version_that_is_not_semver_is_refused(string version) =>
        Assert.Throws<ArgumentException>(() => FirmwareManifest.For("m", version, 1, [], Image));

    [Fact]
    public void Garbage_is_refused_without_exceptions()
    {
        Assert.Equal("not a signed firmware manifest", SignedManifest.Verify("{"u8, _ecdsa, _lms.PublicKey, 0).Refusal);
        Assert.Equal("not a signed firmware manifest", SignedManifest.Verify("""{"manifest": {"svn": "x"}}"""u8, _ecdsa, _lms.PublicKey, 0).Refusal);
    }

    [Fact]
    public async Task A_device_that_pins_an_ml_dsa_key_requires_the_third_signature_and_others_ignore_it()
    {
        var manifest = FirmwareManifest.For("meter-x", "3.0.0", 9, ["rev-b"], Image);
        var three = await SignedManifest.SignAsync(manifest, _ecdsa, _lms, _mlDsa, CancellationToken.None);
        var two = await SignedManifest.SignAsync(manifest, _ecdsa, _lms, CancellationToken.None);
        using var other = MlDsa65.Create();

        Assert.Null(SignedManifest.Verify(three, _ecdsa, _lms.PublicKey, _mlDsa.PublicKey, 9, Image).Refusal);
        Assert.Null(SignedManifest.Verify(three, _ecdsa, _lms.PublicKey, 9, Image).Refusal);
        Assert.Equal("the ML-DSA-65 signature does not verify", SignedManifest.Verify(two, _ecdsa, _lms.PublicKey, _mlDsa.PublicKey, 9, Image).Refusal);
        Assert.Equal("the ML-DSA-65 signature does not verify", SignedManifest.Verify(three, _ecdsa, _lms.PublicKey, other.PublicKey, 9, Image).Refusal);

        // The ML-DSA signature alone over a changed manifest does not carry it: each signature covers the same canonical bytes.
        var forged = JsonNode.Parse(three)!.AsObject();
        forged["manifest"]!["svn"] = 10;
        forged["signatures"]![SignedManifest.MlDsaField] = Convert.ToHexStringLower(_mlDsa.Sign(FirmwareManifest.For("meter-x", "3.0.0", 10, ["rev-b"], Image).CanonicalBytes()));
        Assert.Equal("the ECDSA signature does not verify",
            SignedManifest.Verify(Encoding.UTF8.GetBytes(forged.ToJsonString()), _ecdsa, _lms.PublicKey, _mlDsa.PublicKey, 9, Image).Refusal);
    }
}
