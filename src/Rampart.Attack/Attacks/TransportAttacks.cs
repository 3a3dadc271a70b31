using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Rampart.Attack.Battery;
using Rampart.Attack.Probes;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Attack.Attacks;

/// <summary>MQTT over TLS without presenting any client certificate: the handshake or the session must fail.</summary>
public sealed class NoClientCertificate : IAttack
{
    public string Name => "no-client-certificate";

    public string Description => "connect to MQTT over TLS without a client certificate and send CONNECT";

    public AttackMapping Mapping { get; } = new("mutual TLS on the MQTT listener", Problems.Plaintext, Owasp.I2);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken) =>
        await MqttRefusal.JudgeAsync(context, null, "no certificate");
}

/// <summary>A certificate from a CA the node does not trust, named like a real device.</summary>
public sealed class ForeignClientCertificate : IAttack
{
    public string Name => "foreign-client-certificate";

    public string Description => "connect to MQTT with a self-made certificate whose subject names a real device";

    public AttackMapping Mapping { get; } = new("client certificates must chain to Rampart's CA", Problems.Identity, Owasp.I3);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        var victim = context.DeviceId("victim");
        await context.DeviceAsync("victim", cancellationToken);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={victim}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var forged = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return await MqttRefusal.JudgeAsync(context, forged, $"a self-signed certificate for CN={victim}", victim);
    }
}

/// <summary>Shared judgement: a TLS connection with this certificate must not get an accepted CONNACK.</summary>
internal static class MqttRefusal
{
    public static async Task<AttackOutcome> JudgeAsync(
        AttackContext context, X509Certificate2? certificate, string what, string? clientId = null, (string User, string Password)? credentials = null)
    {
        MqttProbeClient client;
        try
        {
            client = await context.MqttAsync(certificate);
        }
        catch (Exception exception) when (exception is AuthenticationException or IOException or SocketException)
        {
            return AttackOutcome.Held($"{what}: the TLS handshake failed ({exception.GetBaseException().Message})");
        }

        await using (client)
        {
            try
            {
                await client.SendAsync(new ConnectPacket
                {
                    ProtocolVersion = client.Version, ClientId = clientId ?? "attack-" + context.Run, CleanStart = true, KeepAliveSeconds = 30,
                    UserName = credentials?.User, Password = credentials is { } c ? Encoding.UTF8.GetBytes(c.Password) : null,
                });
                var answer = await MqttAnswer.NextAsync(client);
                return AttackOutcome.Judge(answer.Refused, $"{what}: the handshake completed and CONNECT was answered: {answer}");
            }
            catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or IOException)
            {
                return AttackOutcome.Held($"{what}: the handshake completed, then the node closed the connection without a session");
            }
        }
    }
}

/// <summary>Offers TLS 1.0 and 1.1 only, then TLS 1.2 with CBC and non-forward-secret suites only.</summary>
public sealed class TlsDowngrade : IAttack
{
    // RFC 5246 / RFC 4492 suite codes: ECDHE-ECDSA/RSA with AES-CBC (SHA-1, SHA-256), RSA key transport (no forward secrecy).
    private static readonly ushort[] LegacySuites = [0xC009, 0xC013, 0xC023, 0xC027, 0x002F, 0x0035, 0x009C, 0x003C];

    public string Name => "tls-downgrade";

    public string Description => "offer TLS 1.0/1.1, and TLS 1.2 with only CBC or RSA-key-transport suites, on both listeners";

    public AttackMapping Mapping { get; } = new("TLS 1.2/1.3 with forward-secret AEAD suites only", Problems.Plaintext, Owasp.I7);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        var evidence = new List<string>();
        var held = true;
        var listeners = new[] { ("mqtt", context.Target.Mqtt), ("https", await context.Target.HttpsEndPointAsync(cancellationToken)) };
        foreach (var (listener, endPoint) in listeners)
        {
            foreach (var (label, version) in new[] { ("TLS 1.0", (ushort)0x0301), ("TLS 1.1", (ushort)0x0302), ("TLS 1.2 legacy suites", (ushort)0x0303) })
            {
                var answer = await TlsHelloProbe.OfferAsync(endPoint, context.Target.Https.Host, version, LegacySuites, cancellationToken);
                held &= !answer.ServerHello;
                evidence.Add($"{listener} {label}: {answer}");
            }
        }

        return AttackOutcome.Judge(held, string.Join("; ", evidence));
    }
}

/// <summary>MQTT and HTTP in plaintext on the node's ports: nothing may be answered in the clear.</summary>
public sealed class PlaintextProtocols : IAttack
{
    public string Name => "plaintext";

    public string Description => "send a plaintext MQTT CONNECT to the MQTT port and a plaintext HTTP request to the HTTPS port";

    public AttackMapping Mapping { get; } = new("no plaintext listener", Problems.Plaintext, Owasp.I7);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        using var encoder = new MqttEncoder();
        var written = new System.Buffers.ArrayBufferWriter<byte>();
        encoder.Encode(new ConnectPacket { ProtocolVersion = MqttProtocolVersion.V311, ClientId = "attack-plain", CleanStart = true, KeepAliveSeconds = 30 },
            MqttProtocolVersion.V311, written);
        var connectBytes = written.WrittenSpan.ToArray();

        var mqtt = await PlainExchangeAsync(context.Target.Mqtt, connectBytes, cancellationToken);
        // A CONNACK is fixed header 0x20 (MQTT 3.1.1 §3.2.1); anything else (a TLS alert, a close) is a refusal.
        var mqttHeld = mqtt.Length == 0 || mqtt[0] != 0x20;
        var http = await PlainExchangeAsync(await context.Target.HttpsEndPointAsync(cancellationToken),
            Encoding.ASCII.GetBytes($"GET /healthz HTTP/1.1\r\nHost: {context.Target.Https.Host}\r\nConnection: close\r\n\r\n"), cancellationToken);
        var httpText = Encoding.ASCII.GetString(http);
        var httpHeld = !httpText.StartsWith("HTTP/1.1 2", StringComparison.Ordinal) && !httpText.StartsWith("HTTP/1.1 3", StringComparison.Ordinal);
        return AttackOutcome.Judge(mqttHeld && httpHeld,
            $"plaintext CONNECT: {Describe(mqtt)}; plaintext GET /healthz: {(http.Length == 0 ? "closed, nothing answered" : httpText.Split('\r')[0])}");
    }

    private static string Describe(byte[] answer) => answer.Length == 0
        ? "closed, nothing answered"
        : answer[0] == 0x15 ? "a TLS alert record" : answer[0] == 0x20 ? "a CONNACK (plaintext MQTT answered)" : $"{answer.Length} bytes starting 0x{answer[0]:x2}";

    private static async Task<byte[]> PlainExchangeAsync(System.Net.IPEndPoint endPoint, byte[] request, CancellationToken cancellationToken)
    {
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint, cancellationToken);
        await socket.SendAsync(request, SocketFlags.None, cancellationToken);
        var buffer = new byte[512];
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(AttackContext.Patience);
        try
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
            return buffer[..n];
        }
        catch (SocketException)
        {
            return [];
        }
    }
}
