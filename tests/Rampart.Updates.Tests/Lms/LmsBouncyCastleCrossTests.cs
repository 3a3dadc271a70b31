using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Pqc.Crypto;
using Org.BouncyCastle.Pqc.Crypto.Lms;
using Org.BouncyCastle.Security;
using Rampart.Testing;
using Rampart.Updates.Lms;
using BcLmsSigner = Org.BouncyCastle.Pqc.Crypto.Lms.LmsSigner;
using LmsSigner = Rampart.Updates.Lms.LmsSigner;

namespace Rampart.Updates.Tests.Lms;

/// <summary>
/// Rampart's own LMS/HSS (RFC 8554) against an independent implementation, BouncyCastle 2.7, in both
/// directions: our signatures verify with theirs, theirs verify with ours, over every LM-OTS width (codes 1–4: w = 1, 2, 4, 8) and
/// two tree heights, single-level HSS (what we sign) and two-level HSS (what we must still verify).
/// Each side also refuses the other's signature of a different message, so agreement is not vacuous.
/// </summary>
public sealed class LmsBouncyCastleCrossTests : IDisposable
{
    private static readonly byte[] Message = "firmware manifest 4.2.0"u8.ToArray();
    private static readonly byte[] Other = "firmware manifest 4.2.1"u8.ToArray();
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<uint, uint> ParameterSets => new()
    {
        { 5, 1 }, { 5, 2 }, { 5, 3 }, { 5, 4 }, { 6, 3 },
    };

    [Theory]
    [MemberData(nameof(ParameterSets))]
    public async Task Our_hss_signatures_verify_with_bouncycastle(uint lmsCode, uint otsCode)
    {
        using var ours = await LmsSigner.CreateAsync(LmsType.FromCode(lmsCode)!, LmOtsType.FromCode(otsCode)!, new FileLmsStateStore(_temp.Sub($"state-{lmsCode}-{otsCode}")), CancellationToken.None);
        var first = await ours.SignAsync(Message, CancellationToken.None);
        var second = await ours.SignAsync(Other, CancellationToken.None);

        var theirs = HssPublicKeyParameters.GetInstance(ours.PublicKey);
        Assert.True(BcVerify(new HssSigner(), theirs, Message, first));
        Assert.True(BcVerify(new HssSigner(), theirs, Other, second));
        Assert.False(BcVerify(new HssSigner(), theirs, Other, first));

        // Single-level HSS is u32str(0) || LMS signature under the HSS key's LMS key (RFC 8554 §6.2).
        Assert.True(BcVerify(new BcLmsSigner(), LmsPublicKeyParameters.GetInstance(ours.PublicKey[4..]), Message, first[4..]));
        Assert.Equal(ours.PublicKey, theirs.GetEncoded());
    }

    [Theory]
    [MemberData(nameof(ParameterSets))]
    public void Bouncycastle_lms_signatures_verify_with_ours(uint lmsCode, uint otsCode)
    {
        var generator = new LmsKeyPairGenerator();
        generator.Init(new LmsKeyGenerationParameters(new LmsParameters(LMSigParameters.GetParametersByID((int)lmsCode), LMOtsParameters.GetParametersByID((int)otsCode)), new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var signer = new BcLmsSigner();
        signer.Init(true, pair.Private);
        var first = signer.GenerateSignature(Message);
        var second = signer.GenerateSignature(Other);
        var publicKey = ((LmsPublicKeyParameters)pair.Public).GetEncoded();

        Assert.True(LmsVerifier.Verify(publicKey, Message, first));
        Assert.True(LmsVerifier.Verify(publicKey, Other, second));
        Assert.False(LmsVerifier.Verify(publicKey, Other, first));
        Assert.Equal(lmsCode, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(publicKey));
    }

    [Fact]
    public void Bouncycastle_two_level_hss_signatures_verify_with_ours_and_a_swapped_level_is_refused()
    {
        var generator = new HssKeyPairGenerator();
        generator.Init(new HssKeyGenerationParameters(
            [new LmsParameters(LMSigParameters.lms_sha256_n32_h5, LMOtsParameters.sha256_n32_w8), new LmsParameters(LMSigParameters.lms_sha256_n32_h5, LMOtsParameters.sha256_n32_w4)],
            new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var signer = new HssSigner();
        signer.Init(true, pair.Private);
        var signature = signer.GenerateSignature(Message);
        var publicKey = ((HssPublicKeyParameters)pair.Public).GetEncoded();

        Assert.Equal(2u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(publicKey));
        Assert.True(LmsVerifier.VerifyHss(publicKey, Message, signature));
        Assert.False(LmsVerifier.VerifyHss(publicKey, Other, signature));

        // A byte flipped in the signed lower-level public key's identifier breaks the chain: it sits after
        // u32str(Nspk) and the top LMS signature (q, LM-OTS W8 signature, type, 5-node path), past its two type words.
        var topSignature = 4 + LmOtsType.Sha256N32W8.SignatureLength + 4 + (5 * LmsType.M);
        var tampered = (byte[])signature.Clone();
        tampered[4 + topSignature + 8] ^= 0x01;
        Assert.False(LmsVerifier.VerifyHss(publicKey, Message, tampered));
    }

    private static bool BcVerify(IMessageSigner verifier, ICipherParameters key, byte[] message, byte[] signature)
    {
        verifier.Init(false, key);
        return verifier.VerifySignature(message, signature);
    }
}
