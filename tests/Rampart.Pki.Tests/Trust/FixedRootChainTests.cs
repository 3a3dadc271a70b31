using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Trust;

namespace Rampart.Pki.Tests.Trust;

public sealed class FixedRootChainTests
{
    [Fact]
    public async Task A_device_certificate_verifies_through_its_issuing_ca_to_its_root()
    {
        using var ca = TestCa.Create();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var device = await TestCa.IssueDeviceAsync(ca, "pump-7", key);

        Assert.True(FixedRootChain.Verify(device, ca.Root, [ca.Issuing]));
        Assert.True(FixedRootChain.Verify(ca.Issuing, ca.Root, []));
    }

    [Fact]
    public async Task A_certificate_of_another_ca_with_the_same_names_does_not_verify()
    {
        // TestCa names every CA alike: only the signatures can tell them apart.
        using var ours = TestCa.Create();
        using var theirs = TestCa.Create();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var foreign = await TestCa.IssueDeviceAsync(theirs, "pump-7", key);

        Assert.False(FixedRootChain.Verify(foreign, ours.Root, [ours.Issuing]));
        Assert.False(FixedRootChain.Verify(foreign, ours.Root, [theirs.Issuing]));
        Assert.False(FixedRootChain.Verify(theirs.Issuing, ours.Root, []));
        Assert.False(FixedRootChain.ChainsTo(foreign, ours.Root, TestCa.Now));
    }

    [Fact]
    public async Task The_path_must_be_exactly_the_one_named()
    {
        using var ca = TestCa.Create();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var device = await TestCa.IssueDeviceAsync(ca, "pump-7", key);

        // Signed by the issuing CA, not by the root directly.
        Assert.False(FixedRootChain.Verify(device, ca.Root, []));
    }

    [Fact]
    public void Verify_leaves_validity_to_the_caller_and_ChainsTo_checks_it_at_the_time_given()
    {
        // A CA made 30 years ago: its 20-year root and 5-year issuing CA have both expired.
        var (expired, rootKey) = Rampart.Pki.Authority.CertificateAuthority.Create("Old", DateTimeOffset.UtcNow.AddYears(-30));
        rootKey.Dispose();
        using var _ = expired;

        Assert.True(FixedRootChain.Verify(expired.Issuing, expired.Root, []));
        Assert.False(FixedRootChain.ChainsTo(expired.Issuing, expired.Root, DateTimeOffset.UtcNow));
        Assert.True(FixedRootChain.ChainsTo(expired.Issuing, expired.Root, new DateTimeOffset(expired.Issuing.NotBefore.ToUniversalTime()).AddDays(1)));
    }

    [Fact]
    public void A_policy_trusts_only_its_root_never_fetches_and_checks_validity_when_each_chain_is_built()
    {
        using var ca = TestCa.Create();

        var policy = FixedRootChain.Policy(ca.Root);

        Assert.Equal(X509ChainTrustMode.CustomRootTrust, policy.TrustMode);
        Assert.Equal([ca.Root.Thumbprint], policy.CustomTrustStore.Select(c => c.Thumbprint));
        Assert.Equal(X509RevocationMode.NoCheck, policy.RevocationMode);
        Assert.True(policy.DisableCertificateDownloads);
        Assert.True(policy.VerificationTimeIgnored);
        Assert.Equal(X509VerificationFlags.NoFlag, policy.VerificationFlags);
    }
}
