using System.Security.Cryptography;
using Rampart.Pki.Authority;
using Rampart.Pki.Trust;

namespace Rampart.Pki.Tests.Authority;

/// <summary>
/// <see cref="CertificateAuthority.RollOver"/>: a running authority switches to a new issuing CA from its
/// root; what it issues and signs from then on chains through the new CA, the old one is kept as
/// <see cref="CertificateAuthority.Previous"/>, and a second rollover waits for the overlap to end.
/// </summary>
public sealed class CertificateAuthorityRolloverTests
{
    [Fact]
    public async Task After_a_rollover_the_new_issuing_ca_signs_and_the_old_one_is_trusted_until_the_overlap_ends()
    {
        var (authority, rootKey) = CertificateAuthority.Create("Test", TestCa.Now);
        using (authority)
        using (rootKey)
        {
            using var deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var before = await TestCa.IssueDeviceAsync(authority, "d1", deviceKey);
            var oldIssuing = authority.Issuing;
            var generation = authority.Generation;

            var nextKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var next = CertificateAuthority.CreateIssuing(authority.Root, rootKey, nextKey, "CN=Test Issuing CA 2, O=Rampart", TestCa.Now);
            authority.RollOver(next, nextKey, TestCa.Now.AddDays(30), TestCa.Now);

            Assert.Equal(generation + 1, authority.Generation);
            Assert.Same(next, authority.Issuing);
            Assert.Same(oldIssuing, authority.Previous!.Issuing);
            Assert.Equal([next, oldIssuing], authority.TrustedIssuers);
            Assert.True(authority.NamesPreviousIssuer(before));
            Assert.Equal(next.Subject, authority.Chain[0].Subject);

            using var after = await TestCa.IssueDeviceAsync(authority, "d2", deviceKey);
            Assert.Equal(next.Subject, after.Issuer);
            Assert.True(FixedRootChain.Verify(after, authority.Root, [next]));
            Assert.False(FixedRootChain.Verify(after, authority.Root, [oldIssuing]));
            Assert.True(FixedRootChain.Verify(before, authority.Root, [oldIssuing]));

            // The CRLs: the current one names the new CA, the previous one the old CA.
            var crl = authority.BuildCrl([], 1, TestCa.Now, TestCa.Now.AddDays(1));
            var previousCrl = authority.Previous.BuildCrl([], 1, TestCa.Now, TestCa.Now.AddDays(1));
            Assert.True(Crl.VerifiesWith(crl, next));
            Assert.False(Crl.VerifiesWith(crl, oldIssuing));
            Assert.True(Crl.VerifiesWith(previousCrl, oldIssuing));

            // A second rollover during the overlap is refused and changes nothing; after it, it is accepted.
            var thirdKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var third = CertificateAuthority.CreateIssuing(authority.Root, rootKey, thirdKey, "CN=Test Issuing CA 3, O=Rampart", TestCa.Now);
            Assert.Throws<InvalidOperationException>(() => authority.RollOver(third, thirdKey, TestCa.Now.AddDays(60), TestCa.Now.AddDays(29)));
            Assert.Same(next, authority.Issuing);
            authority.RollOver(third, thirdKey, TestCa.Now.AddDays(60), TestCa.Now.AddDays(31));
            Assert.Same(third, authority.Issuing);
            Assert.Same(next, authority.Previous!.Issuing);
        }
    }

    [Fact]
    public void The_overlap_ends_on_the_running_authority_only_once_its_end_has_passed()
    {
        var (authority, rootKey) = CertificateAuthority.Create("Test", TestCa.Now);
        using (authority)
        using (rootKey)
        {
            var nextKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var next = CertificateAuthority.CreateIssuing(authority.Root, rootKey, nextKey, "CN=Test Issuing CA 2, O=Rampart", TestCa.Now);
            Assert.False(authority.EndOverlapIfDue(TestCa.Now));
            authority.RollOver(next, nextKey, TestCa.Now.AddDays(30), TestCa.Now);
            var generation = authority.Generation;

            Assert.False(authority.EndOverlapIfDue(TestCa.Now.AddDays(30).AddTicks(-1)));
            Assert.NotNull(authority.Previous);
            Assert.True(authority.EndOverlapIfDue(TestCa.Now.AddDays(30)));

            Assert.Null(authority.Previous);
            Assert.Null(authority.PreviousTrustedUntil);
            Assert.Equal([next], authority.TrustedIssuers);
            Assert.Equal(generation + 1, authority.Generation);
            Assert.False(authority.EndOverlapIfDue(TestCa.Now.AddDays(31)));
        }
    }

    [Fact]
    public void A_rollover_to_a_ca_of_another_root_or_with_a_key_that_does_not_match_is_refused()
    {
        using var authority = TestCa.Create();
        var (other, otherRootKey) = CertificateAuthority.Create("Other", TestCa.Now);
        using (other)
        using (otherRootKey)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var foreign = CertificateAuthority.CreateIssuing(other.Root, otherRootKey, key, "CN=Foreign, O=Rampart", TestCa.Now);
            var current = authority.Issuing;

            Assert.Throws<ArgumentException>(() => authority.RollOver(foreign, key, TestCa.Now.AddDays(30), TestCa.Now));
            using var wrongKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            Assert.Throws<ArgumentException>(() => authority.RollOver(foreign, wrongKey, TestCa.Now.AddDays(30), TestCa.Now));
            Assert.Same(current, authority.Issuing);
            Assert.Null(authority.Previous);
            Assert.Equal(0, authority.Generation);
        }
    }

    private static class Crl
    {
        // RFC 5280 §6.3.3 (f): the CRL's signature verifies with its issuer's key (BouncyCastle parses it).
        public static bool VerifiesWith(byte[] der, System.Security.Cryptography.X509Certificates.X509Certificate2 issuer)
        {
            var crl = new Org.BouncyCastle.X509.X509Crl(der);
            var key = new Org.BouncyCastle.X509.X509Certificate(issuer.RawData).GetPublicKey();
            try
            {
                crl.Verify(key);
                return true;
            }
            catch (Exception exception) when (exception is Org.BouncyCastle.Security.InvalidKeyException or Org.BouncyCastle.Security.SignatureException or ArgumentException)
            {
                return false;
            }
        }
    }
}
