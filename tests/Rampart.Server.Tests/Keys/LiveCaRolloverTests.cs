using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Device.Enrollment;
using Rampart.Device.Identity;
using Rampart.Fleet.Audit;
using Rampart.Mqtt.Protocol;
using Rampart.Pki.Authority;
using Rampart.Pki.Trust;
using Rampart.Server.Admin;
using Rampart.Server.Keys;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Testing;

namespace Rampart.Server.Tests.Keys;

/// <summary>
/// Issuing CA rollover on a running node (issue 20, "Key rotation without downtime"): over the admin
/// socket, a device's MQTT session of the old CA stays up through the switch, the old CA's certificates
/// renew onto the new CA at once and connect, new enrollments get the new CA, both CRLs verify with
/// openssl against their own issuer, and after a restart the node still runs on the new CA. Then the
/// same through the <c>rampart ca rollover</c> command against a real node process.
/// </summary>
public sealed class LiveCaRolloverTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_running_node_switches_to_a_new_issuing_ca_without_dropping_a_session_and_devices_renew_onto_it()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromDays(40));
        var data = _temp.Sub("data");
        X509Certificate2 root, oldIssuing, staying;
        CaRollover.Result result;
        await using (var node = await RolloverNodes.StartAsync(data, clock))
        {
            var services = node.Node.Services;
            var authority = services.GetRequiredService<CertificateAuthority>();
            (root, oldIssuing) = (RolloverNodes.Copy(authority.Root), RolloverNodes.Copy(authority.Issuing));
            var store = new FileKeyStore(_temp.Sub("live-1"));
            await store.SaveAsync(await RolloverNodes.EnrollAsync(node, root, "live-1"), CancellationToken.None);
            var renewing = (await store.LoadAsync(CancellationToken.None))!;
            var renewal = new CertificateRenewal(new EstClient(node.Node.HttpsUri, root), store, clock);
            Task<bool> Connects(X509Certificate2 candidate) => KeyTestDevices.ConnectsAsync(node, "live-1", root, candidate);
            Assert.Null(await renewal.RenewIfDueAsync(renewing, Connects, CancellationToken.None));
            staying = await RolloverNodes.EnrollAsync(node, root, "live-2");
            await using var held = await KeyTestDevices.ConnectAndPublishAsync(node, "live-2", root, staying);

            using var admin = new AdminClient(node.Node.AdminSocketPath);
            foreach (var days in new[] { 0, 3651, int.MaxValue })
            {
                var invalid = await Assert.ThrowsAsync<AdminCommandException>(() =>
                    admin.SendAsync<CaRollover.Result>(HttpMethod.Post, "api/v1/ca/rollover", CancellationToken.None, new CaRolloverRequest(days)));
                Assert.Contains("between 1 and 3650", invalid.Message, StringComparison.Ordinal);
            }

            Assert.Equal(oldIssuing.RawData, authority.Issuing.RawData);
            result = await admin.SendAsync<CaRollover.Result>(HttpMethod.Post, "api/v1/ca/rollover", CancellationToken.None, new CaRolloverRequest(30));

            Assert.Equal(oldIssuing.Subject, result.PreviousSubject);
            Assert.Equal(result.NewSubject, authority.Issuing.Subject);
            Assert.Equal(oldIssuing.RawData, authority.Previous!.Issuing.RawData);
            Assert.Equal(clock.GetUtcNow() + TimeSpan.FromDays(30), result.PreviousTrustedUntil);
            Assert.True(FixedRootChain.Verify(authority.Issuing, root, []));

            // The session of the old CA's certificate was not dropped: same connection, still publishing.
            Assert.Equal(MqttReasonCode.Success, await held.PublishAsync("devices/live-2/telemetry/t", "2"u8.ToArray()));
            Assert.Equal(1, held.Connections);

            // The SDK sees its issuer replaced (EST cacerts) and renews a day after issue, long before its own
            // window, onto the new CA; the probe connected with it before the store switched.
            clock.Advance(TimeSpan.FromDays(1));
            Assert.True(clock.GetUtcNow() < renewal.DueAt(renewing));
            using var renewed = await renewal.RenewIfDueAsync(renewing, Connects, CancellationToken.None);
            Assert.NotNull(renewed);
            Assert.Equal(result.NewSubject, renewed.Issuer);
            Assert.Equal(renewed.SerialNumber, (await store.LoadAsync(CancellationToken.None))!.SerialNumber);
            Assert.True(FixedRootChain.Verify(renewed, root, [authority.Issuing]));
            Assert.False(FixedRootChain.Verify(renewed, root, [oldIssuing]));
            Assert.Null(await renewal.RenewIfDueAsync(renewed, Connects, CancellationToken.None));

            // A new device enrolls under the new CA and connects; the old CA's certificate still connects anew.
            using var fresh = await RolloverNodes.EnrollAsync(node, root, "live-3");
            Assert.Equal(result.NewSubject, fresh.Issuer);
            await (await KeyTestDevices.ConnectAndPublishAsync(node, "live-3", root, fresh)).DisposeAsync();
            held.Reconnect();
            await Eventually.HoldsAsync(() => Task.FromResult(held.Connections >= 2 && held.IsConnected), "the old CA's certificate reconnecting");
            Assert.Equal(MqttReasonCode.Success, await held.PublishAsync("devices/live-2/telemetry/t", "3"u8.ToArray()));

            // /pki/crl is signed by the new CA from the switch on; /pki/crl/previous by the old one.
            using var client = node.HttpsClient();
            await CrlAssertions.VerifyAsync(_temp, await client.GetByteArrayAsync("pki/crl"), authority.Issuing, root, "live-current");
            await CrlAssertions.VerifyAsync(_temp, await client.GetByteArrayAsync("pki/crl/previous"), oldIssuing, root, "live-previous");

            // One rollover at a time: the next waits for this overlap to end.
            var refused = await Assert.ThrowsAsync<AdminCommandException>(() =>
                admin.SendAsync<CaRollover.Result>(HttpMethod.Post, "api/v1/ca/rollover", CancellationToken.None, new CaRolloverRequest(30)));
            Assert.Contains("waits until that overlap ends", refused.Message, StringComparison.Ordinal);

            var entries = await services.GetRequiredService<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None)
                .Where(e => e.Action == CaRollover.RolledOverAction).ToListAsync();
            var entry = Assert.Single(entries);
            Assert.Equal(LocalAdminConnection.Actor, entry.Actor);
            Assert.Contains(result.NewSha256, entry.Details, StringComparison.Ordinal);
        }

        // What the running node switched to is what it starts on.
        await using (var node = await RolloverNodes.StartAsync(data, clock))
        {
            var authority = node.Node.Services.GetRequiredService<CertificateAuthority>();
            Assert.Equal(result.NewSubject, authority.Issuing.Subject);
            Assert.Equal(oldIssuing.RawData, authority.Previous!.Issuing.RawData);

            // When the overlap ends the old CA's certificates are refused wherever a recorded certificate is
            // checked (EST renewal, DTLS, the device HTTPS API, the scraper), not only in the MQTT handshake.
            var live = new Rampart.Fleet.Certificates.LiveCertificates(authority, node.Node.Services.GetRequiredService<Rampart.Fleet.Certificates.ICertificateStore>(), clock);
            Assert.True((await live.CheckAsync(staying, chainVerified: false, CancellationToken.None)).IsLive);
            clock.Advance(TimeSpan.FromDays(30));
            Assert.True(authority.EndOverlapIfDue(clock.GetUtcNow()));
            var refused = await live.CheckAsync(staying, chainVerified: false, CancellationToken.None);
            Assert.Equal(Rampart.Fleet.Certificates.LiveCertificateRefusal.UnknownCa, refused.Refusal);
            Assert.Contains("no longer trusted", refused.Message, StringComparison.Ordinal);
            await Assert.ThrowsAnyAsync<Exception>(() => new EstClient(node.Node.HttpsUri, root).ReenrollAsync(staying, CancellationToken.None));
            Assert.False(await KeyTestDevices.ConnectsAsync(node, "live-2", root, staying));
        }
    }

    [Fact]
    public async Task The_ca_rollover_command_switches_a_running_node_through_its_admin_socket()
    {
        var data = _temp.Sub("cli");
        using var node = RampartCli.Serve(data);
        var uri = await RampartCli.WaitUntilReadyAsync(node);
        var root = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(data, "ca-root.crt.pem")));
        var before = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(data, "ca-issuing.crt.pem")));

        var (exit, output) = await RampartCli.RunAsync("ca", "rollover", "--data", data, "--overlap-days", "7");

        Assert.True(exit == 0, output);
        Assert.Contains("now signs", output, StringComparison.Ordinal);
        Assert.False(node.HasExited, "the node kept running");
        var after = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(data, "ca-issuing.crt.pem")));
        Assert.NotEqual(before.Subject, after.Subject);

        // The running node's CRL is now the new CA's, as openssl sees it, fetched with curl.
        var crl = _temp.Sub("cli.crl");
        var (curlExit, curlOutput) = await RunningProcess.RunAsync("curl", ["-sS", "--cacert", Path.Combine(data, "ca-root.crt.pem"), "-o", crl, new Uri(uri, "pki/crl").ToString()], TimeSpan.FromSeconds(30));
        Assert.True(curlExit == 0, curlOutput);
        await CrlAssertions.VerifyAsync(_temp, await File.ReadAllBytesAsync(crl), after, root, "cli-current");

        var status = await RunningProcess.RunAsync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", Path.Combine(data, "ca-root.crt.pem"), new Uri(uri, "pki/crl/previous").ToString()], TimeSpan.FromSeconds(30));
        Assert.Equal(((int)HttpStatusCode.OK).ToString(System.Globalization.CultureInfo.InvariantCulture), status.Output.Trim());
    }
}
