using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Net.Pkcs11Interop.Common;
using Rampart.Pki.Authority;
using Rampart.Pki.Keys;
using Rampart.Pki.Keys.Pkcs11;
using Rampart.Pki.Trust;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Pki.Tests.Keys;

/// <summary>CA keys generated and used inside a PKCS#11 token (SoftHSM2, a token of the test's own).</summary>
public sealed class Pkcs11KeyProviderTests : IDisposable
{
    private readonly SoftHsmToken _token = SoftHsm.Shared.Take();
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_ca_whose_keys_are_generated_in_the_token_issues_certificates_and_crls_that_verify()
    {
        using var provider = Open();
        using var rootKey = provider.Generate(KeyNames.RootCa, ECCurve.NamedCurves.nistP384);
        using var ca = CertificateAuthority.Create("Hsm", TestCa.Now, rootKey, provider.Generate(KeyNames.IssuingCa, ECCurve.NamedCurves.nistP256));
        using var deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        using var device = await TestCa.IssueDeviceAsync(ca, "hsm-device-1", deviceKey);
        var crl = ca.BuildCrl([new RevokedSerial(device.SerialNumber, TestCa.Now, X509RevocationReason.KeyCompromise)], 1, TestCa.Now, TestCa.Now.AddDays(1));

        Assert.False(ca.Issuing.HasPrivateKey); // the certificate object holds no key: signatures come from the token
        Assert.True(FixedRootChain.Verify(device, ca.Root, [ca.Issuing]));
        Assert.True(FixedRootChain.Verify(ca.Issuing, ca.Root, []));
        // An independent verifier: openssl checks the CRL's signature with the issuing CA's certificate.
        File.WriteAllBytes(_temp.Sub("crl.der"), crl);
        File.WriteAllText(_temp.Sub("issuing.pem"), ca.Issuing.ExportCertificatePem());
        var (exit, output) = Run("openssl", "crl", "-inform", "DER", "-in", _temp.Sub("crl.der"), "-CAfile", _temp.Sub("issuing.pem"), "-noout");
        Assert.True(exit == 0 && output.Contains("verify OK", StringComparison.Ordinal), output);
    }

    [Fact]
    public void A_token_key_is_sensitive_and_unextractable_and_every_way_out_is_refused()
    {
        using var provider = Open();
        using var key = provider.Generate(KeyNames.IssuingCa, ECCurve.NamedCurves.nistP256);

        Assert.Equal((true, false, true), provider.Protection(KeyNames.IssuingCa));
        Assert.Throws<CryptographicException>(() => key.ExportParameters(includePrivateParameters: true));
        Assert.Throws<CryptographicException>(() => key.ExportPkcs8PrivateKey());

        // Straight at the token, as anyone holding the PIN could: the value is not readable and the key cannot be wrapped out.
        // (The process-wide module instance: a second C_Initialize/C_Finalize would end the provider's session.)
        var factories = Pkcs11Library.Factories;
        var library = Pkcs11Library.Acquire(_token.Module);
        try
        {
            var slot = library.GetSlotList(SlotsType.WithTokenPresent).Single(s => s.GetTokenInfo().Label.Trim() == _token.Label);
            using var session = slot.OpenSession(SessionType.ReadWrite);
            // No login of its own: PKCS#11 logins are per application and token (§5.6), and the provider's holds.
            var privateKey = session.FindAllObjects([factories.ObjectAttributeFactory.Create(CKA.CKA_CLASS, CKO.CKO_PRIVATE_KEY),
                factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, "rampart-" + KeyNames.IssuingCa)]).Single();
            var value = session.GetAttributeValue(privateKey, [CKA.CKA_VALUE]).Single();
            Assert.True(value.CannotBeRead);

            using var aes = factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN);
            var wrappingKey = session.GenerateKey(aes, [factories.ObjectAttributeFactory.Create(CKA.CKA_VALUE_LEN, 32), factories.ObjectAttributeFactory.Create(CKA.CKA_WRAP, true),
                factories.ObjectAttributeFactory.Create(CKA.CKA_TOKEN, false)]);
            using var wrap = factories.MechanismFactory.Create(CKM.CKM_AES_KEY_WRAP_PAD);
            var refused = Assert.Throws<Pkcs11Exception>(() => session.WrapKey(wrap, wrappingKey, privateKey));
            Assert.Equal(CKR.CKR_KEY_UNEXTRACTABLE, refused.RV);
        }
        finally
        {
            Pkcs11Library.Release(_token.Module);
        }
    }

    [Fact]
    public void A_wrong_pin_is_refused_with_a_message_that_says_so_and_does_not_contain_it()
    {
        File.WriteAllText(_temp.Sub("wrong.pin"), "not-the-pin\n");

        var refused = Assert.Throws<KeyProviderException>(() => Pkcs11KeyProvider.Open(new Pkcs11Settings(_token.Module, _token.Label, _temp.Sub("wrong.pin"))));

        Assert.Contains("PIN", refused.Message, StringComparison.Ordinal);
        Assert.Contains("wrong", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-pin", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_token_a_missing_module_and_a_missing_pin_are_refused_with_the_reason()
    {
        var noToken = Assert.Throws<KeyProviderException>(() => Pkcs11KeyProvider.Open(new Pkcs11Settings(_token.Module, "no-such-token", _token.PinFile)));
        var noModule = Assert.Throws<KeyProviderException>(() => Pkcs11KeyProvider.Open(new Pkcs11Settings(_temp.Sub("absent.so"), _token.Label, _token.PinFile)));
        var noPin = Assert.Throws<KeyProviderException>(() => Pkcs11KeyProvider.Open(new Pkcs11Settings(_token.Module, _token.Label, null)));

        Assert.Contains("no PKCS#11 token labelled 'no-such-token'", noToken.Message, StringComparison.Ordinal);
        Assert.Contains($"'{_token.Label}'", noToken.Message, StringComparison.Ordinal); // what is present, to spot a typo
        Assert.Contains("does not exist", noModule.Message, StringComparison.Ordinal);
        Assert.Contains(Pkcs11Settings.PinEnvironmentVariable, noPin.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_opened_again_from_the_token_signs_what_the_first_handle_s_public_key_verifies()
    {
        byte[] publicKey;
        using (var provider = Open())
        using (var key = provider.Generate(KeyNames.Audit, ECCurve.NamedCurves.nistP256))
        {
            publicKey = key.ExportSubjectPublicKeyInfo();
        }

        using var reopened = Open();
        using var again = reopened.Open(KeyNames.Audit);
        using var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(publicKey, out _);
        var signature = again.SignData("checkpoint"u8, HashAlgorithmName.SHA256);

        Assert.True(verifier.VerifyData("checkpoint"u8, signature, HashAlgorithmName.SHA256));
        Assert.False(verifier.VerifyData("checkpoinT"u8, signature, HashAlgorithmName.SHA256));
        Assert.Throws<KeyProviderException>(() => reopened.Open("absent"));
        Assert.Throws<KeyProviderException>(() => reopened.Generate(KeyNames.Audit, ECCurve.NamedCurves.nistP256));
    }

    private Pkcs11KeyProvider Open() => Pkcs11KeyProvider.Open(new Pkcs11Settings(_token.Module, _token.Label, _token.PinFile));

    private static (int Exit, string Output) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
