using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Rampart.Testing;
using Rampart.Updates.Firmware;
using Rampart.Updates.Lms;

namespace Rampart.Updates.Tests.Firmware;

/// <summary>
/// A firmware key rotation verifies only under the keys it hands over from, signed by each of them, with the
/// number it is published under; everything else is refused with the reason.
/// </summary>
public sealed class FirmwareKeyRotationTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly ECDsa _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly MlDsa65 _mlDsa = MlDsa65.Create();
    private readonly ECDsa _nextEcdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly MlDsa65 _nextMlDsa = MlDsa65.Create();
    private LmsSigner _lms = null!;
    private LmsSigner _nextLms = null!;

    public async Task InitializeAsync()
    {
        _lms = await LmsSigner.CreateAsync(LmsType.Sha256M32H5, LmOtsType.Sha256N32W4, new FileLmsStateStore(_temp.Sub("lms")), CancellationToken.None);
        _nextLms = await LmsSigner.CreateAsync(LmsType.Sha256M32H5, LmOtsType.Sha256N32W4, new FileLmsStateStore(_temp.Sub("next-lms")), CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        foreach (var disposable in new IDisposable[] { _lms, _nextLms, _ecdsa, _nextEcdsa, _mlDsa, _nextMlDsa, _temp })
        {
            disposable.Dispose();
        }

        return Task.CompletedTask;
    }

    private FirmwareKeySet Current => FirmwareKeySet.Of(_ecdsa, _lms.PublicKey, _mlDsa.PublicKey);

    private FirmwareKeySet Next(bool withMlDsa = true) => FirmwareKeySet.Of(_nextEcdsa, _nextLms.PublicKey, withMlDsa ? _nextMlDsa.PublicKey : null);

    private Task<byte[]> SignedAsync(long sequence = 1, FirmwareKeySet? to = null) =>
        new FirmwareKeyRotation(sequence, Current.Id, to ?? Next()).SignAsync(_ecdsa, _lms, _mlDsa, CancellationToken.None);

    [Fact]
    public async Task A_rotation_signed_by_the_current_keys_hands_over_to_the_new_ones()
    {
        var (rotation, refusal) = FirmwareKeyRotation.Verify(await SignedAsync(), 1, Current, checkMlDsa: true);

        Assert.Null(refusal);
        Assert.Equal(Next(), rotation!.To);
        Assert.Equal(Next().Id, rotation.To.Id);
    }

    [Fact]
    public async Task A_rotation_under_another_number_of_other_keys_or_to_the_same_keys_is_refused()
    {
        Assert.Contains("published as number 2", FirmwareKeyRotation.Verify(await SignedAsync(1), 2, Current, true).Refusal, StringComparison.Ordinal);
        Assert.Equal(FirmwareKeyRotation.NotFromTheseKeys, FirmwareKeyRotation.Verify(await SignedAsync(), 1, Next(), true).Refusal);
        Assert.Equal("the key rotation hands over to the same keys", FirmwareKeyRotation.Verify(await SignedAsync(to: Current), 1, Current, true).Refusal);
    }

    [Fact]
    public async Task Each_signature_must_come_from_its_current_key_so_breaking_one_algorithm_is_not_enough()
    {
        // ECDSA by the new key (an attacker who broke ECDSA), LMS and ML-DSA by the current ones: refused; and so for LMS.
        var rotation = new FirmwareKeyRotation(1, Current.Id, Next());
        var wrongEcdsa = await rotation.SignAsync(_nextEcdsa, _lms, _mlDsa, CancellationToken.None);
        var wrongLms = await rotation.SignAsync(_ecdsa, _nextLms, _mlDsa, CancellationToken.None);
        var wrongMlDsa = await rotation.SignAsync(_ecdsa, _lms, _nextMlDsa, CancellationToken.None);

        Assert.EndsWith("the ECDSA signature does not verify", FirmwareKeyRotation.Verify(wrongEcdsa, 1, Current, true).Refusal, StringComparison.Ordinal);
        Assert.EndsWith("the LMS signature does not verify", FirmwareKeyRotation.Verify(wrongLms, 1, Current, true).Refusal, StringComparison.Ordinal);
        Assert.EndsWith("the ML-DSA-65 signature does not verify", FirmwareKeyRotation.Verify(wrongMlDsa, 1, Current, true).Refusal, StringComparison.Ordinal);

        // A device that does not check ML-DSA-65 accepts the third signature's failure, not the others'.
        Assert.Null(FirmwareKeyRotation.Verify(wrongMlDsa, 1, Current, false).Refusal);
    }

    [Fact]
    public async Task A_rotation_changed_after_signing_or_dropping_ml_dsa_for_a_device_that_checks_it_is_refused()
    {
        var envelope = JsonNode.Parse(await SignedAsync())!.AsObject();
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        envelope["rotation"]!["to"]!["ecdsaP256"] = Convert.ToHexStringLower(other.ExportSubjectPublicKeyInfo());
        var tampered = Encoding.UTF8.GetBytes(envelope.ToJsonString());

        Assert.EndsWith("the ECDSA signature does not verify", FirmwareKeyRotation.Verify(tampered, 1, Current, false).Refusal, StringComparison.Ordinal);
        Assert.Equal("the key rotation drops the ML-DSA-65 key this device checks",
            FirmwareKeyRotation.Verify(await SignedAsync(to: Next(withMlDsa: false)), 1, Current, true).Refusal);
        Assert.Null(FirmwareKeyRotation.Verify(await SignedAsync(to: Next(withMlDsa: false)), 1, Current, false).Refusal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"rotation\": {\"_type\": \"firmware-key-rotation\", \"sequence\": 0}}")]
    [InlineData("{\"rotation\": {\"_type\": \"targets\", \"sequence\": 1, \"from\": \"00\", \"to\": {}}}")]
    public void Malformed_input_is_not_a_rotation(string text)
    {
        Assert.Equal("not a signed firmware key rotation", FirmwareKeyRotation.Verify(Encoding.UTF8.GetBytes(text), 1, Current, false).Refusal);
    }

    [Fact]
    public void An_oversized_rotation_is_refused_before_it_is_parsed()
    {
        Assert.Contains("at most", FirmwareKeyRotation.Verify(new byte[FirmwareKeyRotation.MaxLength + 1], 1, Current, false).Refusal, StringComparison.Ordinal);
    }
}
