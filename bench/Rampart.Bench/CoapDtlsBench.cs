using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Rampart.Adapters.Coap;
using Rampart.Adapters.Credentials;
using Rampart.Attack.Probes;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Pki.Authority;
using Rampart.Server.Adapters;

namespace Rampart.Bench;

/// <summary>
/// <c>coap-dtls [--handshakes 100] [--messages 2000] [--clients 4]</c>: CoAP over DTLS 1.2 (PSK,
/// TLS_PSK_WITH_AES_128_CCM_8) against the MQTT gateway (TLS 1.3 mutual TLS, ECDSA P-256) on one node
/// in this process: 1. session set-up — a handshake plus the first message (DTLS + CoAP POST vs TLS +
/// CONNECT + QoS 1 PUBLISH), CPU ms each; 2. confirmed messages (CoAP CON POST → ACK vs PUBLISH QoS 1 →
/// PUBACK) per CPU-second. Clients run in the same process, so each CPU figure includes the client's
/// share; the ratio is the figure to read.
/// </summary>
internal static class CoapDtlsBench
{
    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var handshakes = arguments.Int("handshakes", 100);
        var messages = arguments.Int("messages", 2000);
        var clients = arguments.Int("clients", 4);
        var data = BenchNode.NewDataDirectory("coap-dtls");
        await using var node = await BenchNode.StartAsync(data, new Dictionary<string, string?>
        {
            ["Rampart:Coap"] = "127.0.0.1:0",
            ["Rampart:Gateway:DeviceConnectsPerMinute"] = "1000000",
            ["Rampart:Gateway:DeviceConnectBurst"] = "1000000",
            ["Rampart:Gateway:DeviceMessagesPerSecond"] = "1000000",
            ["Rampart:Gateway:DeviceMessageBurst"] = "1000000",
            ["Rampart:Adapters:Coap:HandshakesPerSourcePerMinute"] = "1000000",
            ["Rampart:Adapters:Coap:HandshakeBurstPerSource"] = "1000000",
        });
        var services = node.Services;
        var coap = services.GetRequiredService<CoapHost>().Listener!.BoundEndPoint!;
        var root = X509CertificateLoader.LoadCertificate(services.GetRequiredService<CertificateAuthority>().Root.RawData);
        var psks = new List<(string Id, string Key)>();
        var certificates = new List<(string Id, X509Certificate2 Certificate)>();
        for (var i = 0; i < clients; i++)
        {
            psks.Add(await PskDeviceAsync(services, $"coap-bench-{i}"));
            certificates.Add(await CertificateDeviceAsync(services, $"mqtt-bench-{i}"));
        }

        // Warm both paths (JIT, pools) before measuring.
        await DtlsSetupAsync(coap, psks[0], 3);
        await MqttSetupAsync(node.MqttEndPoint, certificates[0], root, 3);

        var dtlsSetup = await CpuAsync(() => DtlsSetupAsync(coap, psks[0], handshakes));
        var mqttSetup = await CpuAsync(() => MqttSetupAsync(node.MqttEndPoint, certificates[0], root, handshakes));
        var perClient = Math.Max(1, messages / clients);
        var dtlsMessages = await CpuAsync(() => Task.WhenAll(psks.Select(p => DtlsMessagesAsync(coap, p, perClient))));
        var mqttMessages = await CpuAsync(() => Task.WhenAll(certificates.Select(c => MqttMessagesAsync(node.MqttEndPoint, c, root, perClient))));
        var total = perClient * clients;

        Console.WriteLine($"coap-dtls: {handshakes} session set-ups, {total} confirmed messages over {clients} clients each way, {Environment.ProcessorCount} cores");
        Console.WriteLine($"  set-up  CoAP/DTLS-PSK {dtlsSetup.Cpu.TotalMilliseconds / handshakes:F2} ms CPU each ({handshakes / dtlsSetup.Wall.TotalSeconds:F0}/s wall)"
            + $" | MQTT/TLS {mqttSetup.Cpu.TotalMilliseconds / handshakes:F2} ms CPU each ({handshakes / mqttSetup.Wall.TotalSeconds:F0}/s wall)"
            + $" | CPU ratio CoAP:MQTT {dtlsSetup.Cpu / mqttSetup.Cpu:F2}");
        Console.WriteLine($"  messages CoAP {total / dtlsMessages.Cpu.TotalSeconds:F0}/CPU-s ({total / dtlsMessages.Wall.TotalSeconds:F0}/s wall)"
            + $" | MQTT {total / mqttMessages.Cpu.TotalSeconds:F0}/CPU-s ({total / mqttMessages.Wall.TotalSeconds:F0}/s wall)"
            + $" | per-core ratio CoAP:MQTT {mqttMessages.Cpu / dtlsMessages.Cpu:F2}");
    }

    private static async Task<(string, string)> PskDeviceAsync(IServiceProvider services, string id)
    {
        await services.GetRequiredService<InventoryService>().AddAsync(new NewDevice(id), "bench", CancellationToken.None);
        return (id, (await services.GetRequiredService<DeviceCredentials>().IssuePskAsync(id, "bench", CancellationToken.None)).Secret);
    }

    private static async Task<(string, X509Certificate2)> CertificateDeviceAsync(IServiceProvider services, string id)
    {
        var (_, token) = await services.GetRequiredService<InventoryService>().AddAsync(new NewDevice(id), "bench", CancellationToken.None);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var result = await services.GetRequiredService<EnrollmentService>().EnrollAsync(EstOperation.Enroll, new EstCredentials(id, token.Token, null, "127.0.0.1"),
            new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequest(), CancellationToken.None);
        var withKey = result.Certificate!.CopyWithPrivateKey(key);
        return (id, X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null));
    }

    private static async Task<(TimeSpan Cpu, TimeSpan Wall)> CpuAsync(Func<Task> work)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await work();
        process.Refresh();
        return (process.TotalProcessorTime - cpu, wall.Elapsed);
    }

    private static async Task DtlsSetupAsync(IPEndPoint server, (string Id, string Key) device, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var session = await Task.Run(() => DtlsPskClient.Connect(server, device.Id, device.Key));
            session.Post(1, "t/setup", "1"u8);
        }
    }

    private static async Task DtlsMessagesAsync(IPEndPoint server, (string Id, string Key) device, int count)
    {
        using var session = await Task.Run(() => DtlsPskClient.Connect(server, device.Id, device.Key));
        await Task.Run(() =>
        {
            for (var i = 0; i < count; i++)
            {
                session.Post((ushort)i, "t/load", "42"u8);
            }
        });
    }

    private static async Task MqttSetupAsync(IPEndPoint server, (string Id, X509Certificate2 Certificate) device, X509Certificate2 root, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await using var client = await MqttProbeClient.ConnectTlsAsync(server, device.Certificate, root);
            await client.ConnectAsync(device.Id);
            await PublishAsync(client, device.Id, 1, "setup");
        }
    }

    private static async Task MqttMessagesAsync(IPEndPoint server, (string Id, X509Certificate2 Certificate) device, X509Certificate2 root, int count)
    {
        await using var client = await MqttProbeClient.ConnectTlsAsync(server, device.Certificate, root);
        await client.ConnectAsync(device.Id);
        for (var i = 0; i < count; i++)
        {
            await PublishAsync(client, device.Id, (ushort)(i % 60000 + 1), "load");
        }
    }

    private static async Task PublishAsync(MqttProbeClient client, string id, ushort packetId, string name)
    {
        await client.SendAsync(new PublishPacket { Topic = $"devices/{id}/telemetry/{name}", Payload = "42"u8.ToArray(), QoS = MqttQualityOfService.AtLeastOnce, PacketId = packetId });
        await client.ExpectAsync<PublishResponsePacket>(TimeSpan.FromSeconds(10));
    }

    /// <summary>A BouncyCastle DTLS 1.2 PSK client sending CoAP CON POSTs and waiting for each ACK.</summary>
    private sealed class DtlsPskClient : IDisposable
    {
        private readonly Socket _socket;
        private readonly DtlsTransport _dtls;
        private readonly byte[] _buffer = new byte[2048];

        private DtlsPskClient(Socket socket, DtlsTransport dtls)
        {
            _socket = socket;
            _dtls = dtls;
        }

        public static DtlsPskClient Connect(IPEndPoint server, string identity, string key)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(server);
            var crypto = new BcTlsCrypto(new SecureRandom());
            var client = new PskClient(crypto, new BasicTlsPskIdentity(identity, System.Text.Encoding.ASCII.GetBytes(key)));
            return new DtlsPskClient(socket, new DtlsClientProtocol().Connect(client, new UdpTransport(socket)));
        }

        public void Post(ushort messageId, string path, ReadOnlySpan<byte> payload)
        {
            var options = path.Split('/').Select(segment => new CoapOption(CoapOptions.UriPath, System.Text.Encoding.UTF8.GetBytes(segment))).ToList();
            var request = CoapCodec.Encode(new CoapMessage(CoapType.Confirmable, CoapCodes.Post, messageId, new byte[] { 1, 2 }, options, payload.ToArray()));
            _dtls.Send(request, 0, request.Length);
            while (true)
            {
                var received = _dtls.Receive(_buffer, 0, _buffer.Length, 10_000);
                if (received < 0)
                {
                    throw new TimeoutException("no ACK within 10 s");
                }

                if (CoapCodec.TryDecode(_buffer.AsMemory(0, received).ToArray(), out var answer, out _) && answer!.MessageId == messageId)
                {
                    if (answer.Code != CoapCodes.Changed)
                    {
                        throw new InvalidOperationException($"POST answered {CoapMessage.CodeText(answer.Code)}");
                    }

                    return;
                }
            }
        }

        public void Dispose()
        {
            _dtls.Close();
            _socket.Dispose();
        }
    }

    private sealed class PskClient(BcTlsCrypto crypto, TlsPskIdentity identity) : PskTlsClient(crypto, identity)
    {
        protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

        protected override int[] GetSupportedCipherSuites() => [CipherSuite.TLS_PSK_WITH_AES_128_CCM_8];
    }

    private sealed class UdpTransport(Socket socket) : DatagramTransport
    {
        public int GetReceiveLimit() => 2048;

        public int GetSendLimit() => 1200;

        public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

        public int Receive(Span<byte> buffer, int waitMillis) =>
            socket.Poll(TimeSpan.FromMilliseconds(waitMillis), SelectMode.SelectRead) ? socket.Receive(buffer) : -1;

        public void Send(byte[] buf, int off, int len) => socket.Send(buf.AsSpan(off, len));

        public void Send(ReadOnlySpan<byte> buffer) => socket.Send(buffer);

        public void Close() => socket.Close();
    }
}
