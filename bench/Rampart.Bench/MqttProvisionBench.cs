using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Server.Hosting;

namespace Rampart.Bench;

/// <summary>
/// <c>mqtt-provision --data DIR --out DIR [--devices 100]</c>: prepares a stopped node for the MQTT
/// benchmarks — devices enrolled through the real enrollment service, a "bench" service identity
/// for the subscriber — and writes every key and certificate as PEM so both Rampart and mosquitto
/// are driven with exactly the same identities.
/// </summary>
internal static class MqttProvisionBench
{
    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var data = arguments.String("data") ?? throw new ArgumentException("--data DIR is required");
        var output = arguments.String("out") ?? throw new ArgumentException("--out DIR is required");
        var devices = arguments.Int("devices", 100);
        Directory.CreateDirectory(output);
        await using (var node = await OfflineNode.OpenAsync(data, CancellationToken.None, initialize: true))
        {
            var inventory = node.Services.GetRequiredService<InventoryService>();
            var enrollment = node.Services.GetRequiredService<EnrollmentService>();
            for (var i = 0; i < devices; i++)
            {
                var id = DeviceId(i);
                var (_, token) = await inventory.AddAsync(new NewDevice(id), "bench", CancellationToken.None);
                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var result = await enrollment.EnrollAsync(EstOperation.Enroll, new EstCredentials(id, token.Token, null, "127.0.0.1"),
                    new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequest(), CancellationToken.None);
                Write(output, id, result.Certificate ?? throw new InvalidOperationException($"enrollment of {id} was refused: {result.Refusal}"), key);
            }

            using var serviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var service = await node.Services.GetRequiredService<ServiceCertificates>().IssueAsync(
                "bench", new CertificateRequest("CN=x", serviceKey, HashAlgorithmName.SHA256).CreateSigningRequest(), "bench", CancellationToken.None);
            Write(output, "bench", service, serviceKey);
        }

        // The trust anchors and the node's own server certificate (mosquitto serves the same one).
        File.WriteAllText(Path.Combine(output, "ca.pem"),
            File.ReadAllText(Path.Combine(data, "ca-issuing.crt.pem")).TrimEnd() + "\n" + File.ReadAllText(Path.Combine(data, "ca-root.crt.pem")).TrimEnd() + "\n");
        File.Copy(Path.Combine(data, "ca-root.crt.pem"), Path.Combine(output, "root.pem"), overwrite: true);
        SqliteConnection.ClearAllPools();
        Console.WriteLine($"mqtt-provision: {devices} devices and the bench service enrolled; PEM files in {output}");
    }

    public static string DeviceId(int index) => $"load-{index:D5}";

    private static void Write(string directory, string name, X509Certificate2 certificate, ECDsa key)
    {
        File.WriteAllText(Path.Combine(directory, name + ".crt"), certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(directory, name + ".key"), key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
