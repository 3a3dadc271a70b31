using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Bench;

/// <summary>
/// <c>mqtt-revoke [--devices 20]</c>: how long from "revoke this certificate" to the device's live
/// MQTT session receiving its DISCONNECT, over real TLS on loopback, one device at a time.
/// </summary>
internal static class MqttRevocationBench
{
    public static async Task RunAsync(string[] args)
    {
        var devices = new BenchArguments(args).Int("devices", 20);
        var data = BenchNode.NewDataDirectory("revoke");
        var revokeCall = new List<double>();
        var untilDisconnect = new List<double>();
        await using (var node = await BenchNode.StartAsync(data))
        {
            using var root = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(data, "ca-root.crt.pem"));
            var inventory = node.Services.GetRequiredService<InventoryService>();
            var enrollment = node.Services.GetRequiredService<EnrollmentService>();
            var revocation = node.Services.GetRequiredService<RevocationService>();
            for (var i = 0; i < devices; i++)
            {
                var id = $"revoke-{i:D3}";
                var (_, token) = await inventory.AddAsync(new NewDevice(id), "bench", CancellationToken.None);
                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var result = await enrollment.EnrollAsync(EstOperation.Enroll, new EstCredentials(id, token.Token, null, "127.0.0.1"),
                    new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequest(), CancellationToken.None);
                using var withKey = result.Certificate!.CopyWithPrivateKey(key);
                using var identity = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
                await using var client = await BenchMqttClient.ConnectAsync("127.0.0.1", node.MqttEndPoint.Port, identity, root, id, MqttProtocolVersion.V500);
                var disconnected = Task.Run(async () =>
                {
                    MqttPacket? last = null;
                    await client.ReadAsync(packet =>
                    {
                        last = packet;
                        return packet is not DisconnectPacket;
                    });
                    return Stopwatch.GetTimestamp();
                });

                var start = Stopwatch.GetTimestamp();
                await revocation.RevokeSerialAsync(result.Record!.Serial, X509RevocationReason.KeyCompromise, "bench", CancellationToken.None);
                revokeCall.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                var end = await disconnected.WaitAsync(TimeSpan.FromSeconds(10));
                untilDisconnect.Add(Stopwatch.GetElapsedTime(start, end).TotalMilliseconds);
            }
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(data, recursive: true);
        untilDisconnect.Sort();
        revokeCall.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mqtt-revoke devices={devices}: revoke call to DISCONNECT received: median {untilDisconnect[untilDisconnect.Count / 2]:F1} ms, max {untilDisconnect[^1]:F1} ms " +
            $"(the revoke call itself — audited, CRL reissued, recorded — median {revokeCall[revokeCall.Count / 2]:F1} ms)"));
    }
}
