using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Gateway;
using Rampart.Server.Gateway.Tls;

namespace Rampart.Server.Tests.Gateway;

/// <summary>The verified-certificate cache: bounded, least recently used evicted, emptied when the anchors change; and the SslStream fallback.</summary>
public sealed class VerifiedCertificateCacheTests
{
    [Fact]
    public void A_certificate_is_known_only_against_the_anchors_it_was_verified_with()
    {
        using var root = SelfSigned("CN=root");
        using var issuing = SelfSigned("CN=issuing");
        using var other = SelfSigned("CN=other issuing");
        var cache = new VerifiedCertificateCache(10);
        var leaf = RandomNumberGenerator.GetBytes(300);

        Assert.False(cache.Contains(leaf, [root, issuing]));
        cache.Add(leaf, [root, issuing]);
        Assert.True(cache.Contains(leaf, [root, issuing]));
        Assert.False(cache.Contains(RandomNumberGenerator.GetBytes(300), [root, issuing]));

        // A rollover (another issuing CA trusted, or one dropped) empties it.
        Assert.False(cache.Contains(leaf, [root, issuing, other]));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Past_its_capacity_the_least_recently_used_certificate_is_forgotten()
    {
        using var root = SelfSigned("CN=root");
        var cache = new VerifiedCertificateCache(2);
        var (a, b, c) = (RandomNumberGenerator.GetBytes(100), RandomNumberGenerator.GetBytes(100), RandomNumberGenerator.GetBytes(100));
        cache.Add(a, [root]);
        cache.Add(b, [root]);
        Assert.True(cache.Contains(a, [root])); // a is now the most recently used
        cache.Add(c, [root]);

        Assert.Equal(2, cache.Count);
        Assert.True(cache.Contains(a, [root]));
        Assert.False(cache.Contains(b, [root]));
        Assert.True(cache.Contains(c, [root]));
    }

    [Fact]
    public void A_cache_of_size_zero_remembers_nothing()
    {
        using var root = SelfSigned("CN=root");
        var cache = new VerifiedCertificateCache(0);
        var leaf = RandomNumberGenerator.GetBytes(100);
        cache.Add(leaf, [root]);
        Assert.False(cache.Contains(leaf, [root]));
    }

    [Fact]
    public async Task With_Implementation_SslStream_the_listener_is_served_by_SslStream_and_devices_connect()
    {
        await using var node = await GatewayNode.StartAsync(new Dictionary<string, string?> { ["Rampart:Gateway:Tls:Implementation"] = "SslStream" });
        Assert.Equal(MqttTlsImplementation.SslStream, node.Get<MqttGateway>().TlsImplementation);
        var device = await node.EnrollDeviceAsync("fallback-1");
        await using var client = await node.ConnectAsync(device);
        Assert.Equal(MqttReasonCode.Success, (await client.ConnectAsync(device.Id)).ReasonCode);
        Assert.Equal(0, node.Get<MqttGateway>().VerifiedCertificates.Count);
    }

    [Fact]
    public async Task A_negative_cache_size_stops_the_node_with_the_setting_named()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
            await GatewayNode.StartAsync(new Dictionary<string, string?> { ["Rampart:Gateway:Tls:VerifiedCertificateCacheSize"] = "-1" }));
        Assert.Contains("VerifiedCertificateCacheSize", failure.Message, StringComparison.Ordinal);
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest(subject, key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
