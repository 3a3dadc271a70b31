using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Attack.Probes;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Certificates;
using Rampart.Mqtt.Protocol;
using Rampart.Pki.Authority;
using Rampart.Testing;

namespace Rampart.Server.Tests.Gateway;

/// <summary>A running node with its MQTT gateway, and devices enrolled through its real EST service with keys written as PEM files for mosquitto and MQTT.js.</summary>
internal sealed class GatewayNode : IAsyncDisposable
{
    private readonly TempDirectory _temp;

    private readonly IDictionary<string, string?> _settings;

    private GatewayNode(TempDirectory temp, TestNode node, IDictionary<string, string?> settings)
    {
        _temp = temp;
        _settings = settings;
        Node = node;
        RootPemPath = _temp.Sub("root.pem");
        File.WriteAllText(RootPemPath, Authority.Root.ExportCertificatePem() + "\n");
    }

    public TestNode Node { get; private set; }

    public IPEndPoint Mqtt => Node.Node.MqttEndPoint;

    public CertificateAuthority Authority => Get<CertificateAuthority>();

    /// <summary>The root CA as PEM: what clients trust.</summary>
    public string RootPemPath { get; }

    public X509Certificate2 Root => X509CertificateLoader.LoadCertificate(Authority.Root.RawData);

    public static readonly IReadOnlyDictionary<string, string?> IngestService = new Dictionary<string, string?>
    {
        ["Rampart:Gateway:Services:ingest:ClientIds"] = "ingest-*",
        ["Rampart:Gateway:Services:ingest:Subscribe:0"] = "$share/ingest/devices/+/telemetry/#",
        ["Rampart:Gateway:Services:ingest:Subscribe:1"] = "devices/+/state",
        ["Rampart:Gateway:Services:ingest:Publish:0"] = "devices/+/commands/#",
    };

    public static async Task<GatewayNode> StartAsync(IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var temp = new TempDirectory();
        var all = new Dictionary<string, string?>(IngestService);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return new GatewayNode(temp, await TestNode.StartAsync(temp.Sub("data"), all, time), all);
    }

    /// <summary>Stops the node and starts it again on the same data (give fixed ports in the settings to keep the addresses).</summary>
    public async Task RestartAsync()
    {
        await Node.DisposeAsync();
        Node = await TestNode.StartAsync(_temp.Sub("data"), _settings);
    }

    public T Get<T>()
        where T : notnull => Node.Node.Services.GetRequiredService<T>();

    /// <summary>Adds and enrolls a device with a fresh P-256 key; its certificate and key are also written as PEM files.</summary>
    public async Task<EnrolledIdentity> EnrollDeviceAsync(string id, DateOnly? supportUntil = null, string? model = null, string? hardware = null)
    {
        var (_, token) = await Get<InventoryService>().AddAsync(
            new NewDevice(id, Model: model, HardwareRevision: hardware, SupportUntil: supportUntil), "test", CancellationToken.None);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var result = await Get<EnrollmentService>().EnrollAsync(
            EstOperation.Enroll, new EstCredentials(id, token.Token, null, "127.0.0.1"), FleetHarness.Csr(key), CancellationToken.None);
        Assert.Null(result.Refusal);
        return Identity(id, result.Certificate!, key);
    }

    /// <summary>Issues a service certificate (profile service) for <paramref name="name"/>.</summary>
    public async Task<EnrolledIdentity> ServiceAsync(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var certificate = await Get<ServiceCertificates>().IssueAsync(name, FleetHarness.Csr(key), "test", CancellationToken.None);
        return Identity("service-" + name, certificate, key);
    }

    /// <summary>A certificate for <paramref name="id"/> from some other CA (an attacker's).</summary>
    public EnrolledIdentity Foreign(string id)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={id}", key, HashAlgorithmName.SHA256);
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        return Identity(id, X509CertificateLoader.LoadCertificate(selfSigned.RawData), key);
    }

    public async Task<MqttProbeClient> ConnectAsync(EnrolledIdentity identity, MqttProtocolVersion version = MqttProtocolVersion.V500, IPAddress? localAddress = null) =>
        await MqttProbeClient.ConnectTlsAsync(Mqtt, identity.Certificate, Root, version, localAddress);

    /// <summary>Waits for a stored security event of <paramref name="kind"/> matching <paramref name="match"/> (the tap writes in the background).</summary>
    public async Task<SecurityEvent> EventAsync(string kind, Func<SecurityEvent, bool>? match = null)
    {
        var store = Get<ISecurityEventStore>();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var found = (await store.ListAsync(null, 1000, CancellationToken.None)).Select(s => s.Event).FirstOrDefault(e => e.Kind == kind && (match?.Invoke(e) ?? true));
            if (found is not null)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no {kind} event was recorded");
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        _temp.Dispose();
    }

    /// <summary>Wraps an issued certificate and its key as an identity, with PEM files for real clients.</summary>
    public EnrolledIdentity Identity(string id, X509Certificate2 certificate, ECDsa key)
    {
        var withKey = certificate.CopyWithPrivateKey(key);
        var certificatePath = _temp.Sub(id + ".crt");
        var keyPath = _temp.Sub(id + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");

        // SslStream on Linux wants an exportable key it can hand to OpenSSL: round-trip through PKCS#12.
        var usable = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return new EnrolledIdentity(id, usable, certificatePath, keyPath, certificate.SerialNumber);
    }
}

/// <summary>A device or service identity ready to connect.</summary>
internal sealed record EnrolledIdentity(string Id, X509Certificate2 Certificate, string CertificatePath, string KeyPath, string Serial);
