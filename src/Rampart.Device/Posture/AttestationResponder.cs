using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Rampart.Device.Connection;

namespace Rampart.Device.Posture;

/// <summary>The node's nonce and the device's signature over what it answers (docs/supply-chain.md, "Attestation of what runs").</summary>
public sealed record AttestationEvidence(string Nonce, string Signature);

/// <summary>
/// Answers the node's attestation challenges (issue 17 item 8): the node publishes <c>{"nonce":"…"}</c> on
/// <c>devices/{id}/commands/attest</c> at every (re)connect and on demand; the device answers with its
/// posture report on <c>devices/{id}/state</c> carrying its firmware measurement and the nonce, signed
/// with its certificate's key over
/// <c>rampart-attestation-v1\n{device}\n{nonce}\n{firmwareVersion}\n{measurement}</c> (ECDSA with
/// SHA-256, DER signature; RSA keys sign with PSS/SHA-256), base64.
/// </summary>
public sealed class AttestationResponder
{
    /// <summary>The command topic suffix the node challenges on.</summary>
    public const string TopicSuffix = "attest";

    /// <summary>Longest nonce answered (the node sends 32 bytes in base64url).</summary>
    public const int MaxNonceLength = 128;

    private readonly DeviceMqttClient _client;
    private readonly Func<X509Certificate2> _identity;
    private readonly Func<CancellationToken, Task<PostureReport>> _posture;
    private string? _answered;
    private Task _answering = Task.CompletedTask;

    /// <param name="identity">The device's current certificate with its private key (after a renewal, the new one); the responder does not dispose it.</param>
    /// <param name="posture">The device's posture now, with its firmware measurement.</param>
    public AttestationResponder(DeviceMqttClient client, Func<X509Certificate2> identity, Func<CancellationToken, Task<PostureReport>> posture)
    {
        (_client, _identity, _posture) = (client, identity, posture);
        var previous = client.OnMessage;
        client.OnMessage = message => message.Topic == Topic ? AnswerAsync(message) : previous?.Invoke(message) ?? Task.CompletedTask;
    }

    private string Topic => $"devices/{_client.DeviceId}/commands/{TopicSuffix}";

    /// <summary>Subscribes to the challenge topic (kept across reconnects by the client).</summary>
    public Task StartAsync() => _client.SubscribeAsync(Topic);

    /// <summary>Why the last answer failed to go out, if one did (the node then judges the challenge unanswered).</summary>
    public string? LastError { get; private set; }

    /// <summary>Completes when the answer to the latest challenge has been published and acknowledged (or has failed).</summary>
    public Task Answering => Volatile.Read(ref _answering);

    /// <summary>The bytes a device signs and the node verifies.</summary>
    public static byte[] SignedBytes(string deviceId, string nonce, string firmwareVersion, string measurement) =>
        Encoding.UTF8.GetBytes($"rampart-attestation-v1\n{deviceId}\n{nonce}\n{firmwareVersion}\n{measurement}");

    // Runs on the client's receive loop, which acknowledges the challenge and reads every PUBACK only
    // after this returns: the answer is a QoS 1 publish that waits for its PUBACK, so awaiting it here
    // stalled the loop until PublishTimeout (60 s), and a second challenge (on demand, soon after the
    // connect's) was answered only then — late against the node's AttestationTimeout and its caller.
    // The answer therefore goes out beside the loop; the loop goes on at once.
    private Task AnswerAsync(DeviceMessage message)
    {
        // The node clears its retained challenge with an empty message once answered; anything unreadable is ignored.
        if (message.Payload.IsEmpty || message.Payload.Length > 1024 || ReadNonce(message.Payload) is not { } nonce)
        {
            return Task.CompletedTask;
        }

        // A challenge delivered twice (a QoS 1 redelivery, the retained copy after a reconnect) is answered once:
        // the node refuses a nonce answered already as a replay.
        if (Interlocked.Exchange(ref _answered, nonce) == nonce)
        {
            return Task.CompletedTask;
        }

        var answering = Task.Run(() => AnswerWithAsync(nonce));
        Volatile.Write(ref _answering, answering);
        return Task.CompletedTask;
    }

    private async Task AnswerWithAsync(string nonce)
    {
        try
        {
            await SignAndSendAsync(nonce);
            LastError = null;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A redelivery of this challenge may try again; otherwise the node re-challenges at the next connect or on demand.
            Interlocked.CompareExchange(ref _answered, null, nonce);
            LastError = $"answering the attestation challenge failed: {exception.Message}";
        }
    }

    private async Task SignAndSendAsync(string nonce)
    {
        var report = await _posture(CancellationToken.None);
        var measurement = report.FirmwareMeasurement ?? string.Empty;
        var bytes = SignedBytes(_client.DeviceId, nonce, report.FirmwareVersion, measurement);
        var certificate = _identity();
        var signature = certificate.GetECDsaPrivateKey() is { } ecdsa
            ? Using(ecdsa, key => key.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
            : certificate.GetRSAPrivateKey() is { } rsa
                ? Using(rsa, key => key.SignData(bytes, HashAlgorithmName.SHA256, RSASignaturePadding.Pss))
                : throw new InvalidOperationException("the device certificate has no ECDSA or RSA private key");
        await _client.ReportPostureAsync(report with { Attestation = new AttestationEvidence(nonce, Convert.ToBase64String(signature)) });
    }

    private static byte[] Using<T>(T key, Func<T, byte[]> sign)
        where T : IDisposable
    {
        using (key)
        {
            return sign(key);
        }
    }

    private static string? ReadNonce(ReadOnlyMemory<byte> payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("nonce", out var nonce)
                && nonce.ValueKind == JsonValueKind.String && nonce.GetString() is { Length: > 0 and <= MaxNonceLength } text ? text : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
