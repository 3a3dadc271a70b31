using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Attack.Probes;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Protocol;
using Rampart.Pki.Authority;

namespace Rampart.Console.Tests;

/// <summary>Real devices for the browser tests: enrolled, with a certificate of the node's CA, on its MQTT listener.</summary>
internal static class LiveDevices
{
    /// <summary>A device enrolled over the node's EST service with its own key and connected over mutual TLS (MQTT 5).</summary>
    public static async Task<MqttProbeClient> ConnectAsync(ConsoleFixture fixture, string id)
    {
        var (_, token) = await fixture.Get<InventoryService>().AddAsync(new NewDevice(id), "test", CancellationToken.None);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=anything", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        var result = await fixture.Get<EnrollmentService>().EnrollAsync(EstOperation.Enroll, new EstCredentials(id, token.Token, null, "127.0.0.1"), csr, CancellationToken.None);
        Assert.Null(result.Refusal);
        using var withKey = result.Certificate!.CopyWithPrivateKey(key);
        var usable = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        var root = X509CertificateLoader.LoadCertificate(fixture.Get<CertificateAuthority>().Root.RawData);
        var client = await MqttProbeClient.ConnectTlsAsync(fixture.Node.MqttEndPoint, usable, root);
        Assert.Equal(MqttReasonCode.Success, (await client.ConnectAsync(id)).ReasonCode);
        return client;
    }
}
