using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Device.Enrollment;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Enrollment;
using Rampart.Pki.Authority;
using Rampart.Pki.Trust;
using Rampart.Server.Hosting;
using Rampart.Server.Keys;
using Rampart.Testing;

namespace Rampart.Server.Tests.Keys;

/// <summary>
/// Issuing CA rollover on a manual clock: a real node rolls over to a new issuing CA from the same
/// root; a device certificate of the old CA still connects over mTLS and renews at once onto the new
/// CA, whose certificate then connects; both issuing CAs' CRLs verify with openssl; when the overlap
/// ends the old CA is trusted no more.
/// </summary>
public sealed class CaRolloverTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Devices_renew_onto_the_new_issuing_ca_while_the_old_ones_certificates_stay_valid_through_the_overlap()
    {
        // Early enough that every certificate issued on this clock is valid on the real one (TLS peers check it).
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromDays(40));
        var data = _temp.Sub("data");
        X509Certificate2 root, oldIssuing, renewing, staying;
        await using (var node = await RolloverNodes.StartAsync(data, clock))
        {
            var authority = node.Node.Services.GetRequiredService<CertificateAuthority>();
            (root, oldIssuing) = (RolloverNodes.Copy(authority.Root), RolloverNodes.Copy(authority.Issuing));
            renewing = await RolloverNodes.EnrollAsync(node, root, "roll-1");
            staying = await RolloverNodes.EnrollAsync(node, root, "roll-2");
        }

        var result = await CaRollover.RolloverAsync(data, StorageSettings.Sqlite, "test", clock, TimeSpan.FromDays(30), CancellationToken.None);
        Assert.Equal(oldIssuing.Subject, result.PreviousSubject);
        Assert.NotEqual(result.PreviousSubject, result.NewSubject);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromDays(30), result.PreviousTrustedUntil);
        var refused = await Assert.ThrowsAsync<NodeStartupException>(() => CaRollover.RolloverAsync(data, StorageSettings.Sqlite, "test", clock, TimeSpan.FromDays(30), CancellationToken.None));
        Assert.Contains("waits until that overlap ends", refused.Message, StringComparison.Ordinal);

        clock.Advance(TimeSpan.FromDays(1));
        await using (var node = await RolloverNodes.StartAsync(data, clock))
        {
            var services = node.Node.Services;
            var authority = services.GetRequiredService<CertificateAuthority>();
            Assert.Equal(result.NewSubject, authority.Issuing.Subject);
            Assert.Equal(oldIssuing.RawData, authority.Previous!.Issuing.RawData);
            Assert.True(FixedRootChain.Verify(authority.Issuing, root, []));
            Assert.True(FixedRootChain.Verify(node.Node.Services.GetRequiredService<NodeKeyring>().TlsCertificate, root, [authority.Issuing]));

            // The old CA's certificate still connects; it renews now (a day after issue, long before its own window) onto the new CA.
            await ConnectAsync(node, root, "roll-2", staying);
            using var renewed = await new EstClient(node.Node.HttpsUri, root).ReenrollAsync(renewing, CancellationToken.None);
            Assert.Equal(authority.Issuing.Subject, renewed.Issuer);
            Assert.True(FixedRootChain.Verify(renewed, root, [authority.Issuing]));
            Assert.False(FixedRootChain.Verify(renewed, root, [oldIssuing]));
            await ConnectAsync(node, root, "roll-1", renewed);

            // The new CA's certificate renews only inside its own window.
            var early = await Assert.ThrowsAsync<EstException>(() => new EstClient(node.Node.HttpsUri, root).ReenrollAsync(renewed, CancellationToken.None));
            Assert.Contains("renewal window", early.Message, StringComparison.Ordinal);

            // Both CRLs, each verified by openssl against its own issuer.
            using var client = node.HttpsClient();
            await CrlAssertions.VerifyAsync(_temp, await client.GetByteArrayAsync("pki/crl"), authority.Issuing, root, "current");
            await CrlAssertions.VerifyAsync(_temp, await client.GetByteArrayAsync("pki/crl/previous"), oldIssuing, root, "previous");
            var failsAgainstTheOther = await CrlAssertions.OpensslAsync(_temp, await client.GetByteArrayAsync("pki/crl/previous"), authority.Issuing, root, "crossed");
            Assert.DoesNotContain("verify OK", failsAgainstTheOther.Output, StringComparison.Ordinal);

            var audit = services.GetRequiredService<IAuditStore>();
            var rolled = await FindAsync(audit, "ca.rolled-over");
            Assert.Contains(result.NewSha256, rolled.Details, StringComparison.Ordinal);
        }

        // The overlap is over: the old issuing CA is trusted for nothing and has no CRL any more.
        clock.Advance(TimeSpan.FromDays(30));
        await using (var node = await RolloverNodes.StartAsync(data, clock))
        {
            var authority = node.Node.Services.GetRequiredService<CertificateAuthority>();
            Assert.Null(authority.Previous);
            Assert.False(CaChain.IsIssuedBy(staying, authority));
            using var client = node.HttpsClient();
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync("pki/crl/previous")).StatusCode);
        }
    }

    private static async Task ConnectAsync(TestNode node, X509Certificate2 root, string id, X509Certificate2 certificate)
    {
        await using var device = await KeyTestDevices.ConnectAndPublishAsync(node, id, root, certificate);
    }

    private static async Task<AuditEntry> FindAsync(IAuditStore audit, string action)
    {
        await foreach (var entry in audit.ReadEntriesAsync(1, CancellationToken.None))
        {
            if (entry.Action == action)
            {
                return entry;
            }
        }

        throw new Xunit.Sdk.XunitException($"no {action} entry in the audit log");
    }
}
