using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Detection.Response;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Updates;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Gateway;
using Rampart.SupplyChain;
using Rampart.SupplyChain.Stores;
using Rampart.Updates.Releases;

namespace Rampart.Server.SupplyChain.Attestation;

/// <summary>What became of an attestation answer.</summary>
public enum AttestationVerdict
{
    /// <summary>Fresh, signed by the device, and the measurement is the release's image hash.</summary>
    Passed,

    /// <summary>The measurement is not the image hash of the release the device says it runs (tamper).</summary>
    Mismatch,

    /// <summary>The nonce was issued but the answer came after <see cref="SupplyChainOptions.AttestationTimeout"/>.</summary>
    Stale,

    /// <summary>The nonce is not the device's outstanding challenge (answered already, superseded, or never issued).</summary>
    Replayed,

    /// <summary>No valid signature by one of the device's certificates.</summary>
    BadSignature,

    /// <summary>No release of the device's model and reported version: nothing to compare with (not a pass).</summary>
    UnknownRelease,

    /// <summary>
    /// An answer to a challenge this node issued within <see cref="SupplyChainOptions.AttestationTimeout"/> that a
    /// newer challenge replaced before the answer came (a connect challenge and an on-demand one close together, a
    /// reconnect delivering the older one first). The device did nothing wrong; its answer to the newer one counts.
    /// </summary>
    Superseded,

    /// <summary>
    /// The very answer this node judged last for the device, byte for byte, again: the SDK resends an
    /// unacknowledged QoS 1 publish after a reconnect (MQTT §4.4). Nothing is gained by it (the nonce was
    /// judged once), so it is recorded (info) and not alarmed; any other reuse of a spent nonce is <see cref="Replayed"/>.
    /// </summary>
    Duplicate,

    /// <summary>
    /// No answer within <see cref="SupplyChainOptions.AttestationTimeout"/>, to a challenge and then to a second
    /// one, while the device stayed connected (high: a device that will not attest cannot be told from one whose
    /// firmware lost the responder), or from a device that went away (warning).
    /// </summary>
    Unanswered,
}

/// <summary>
/// Attestation of what runs (issue 17 item 8). <see cref="ChallengeAsync"/> sends a fresh 32-byte nonce on
/// <c>devices/{id}/commands/attest</c> (retained, so a device that subscribes after its CONNACK still gets
/// it; cleared once answered). <see cref="JudgeAsync"/> takes the device's posture answer: the nonce must be the
/// device's outstanding one (kept in <see cref="IAttestationChallengeStore"/>, so it survives a restart and
/// is answered once across a cluster: a replay is refused) and fresh, the signature must
/// verify with one of the device's unrevoked certificates, and the firmware measurement must be the image
/// SHA-256 of the signed release the device reports running. Anything else is a high security event and a
/// detection alert (<c>supplychain.attestation</c>) handed to the automatic response, which quarantines
/// as its policy says.
/// </summary>
public sealed class AttestationService(
    MqttGateway gateway, IAttestationChallengeStore challenges, IDeviceStore devices, IReleaseStore releases, ICertificateStore certificates, AlertService alerts, ResponseEngine response,
    SupplyChainOptions options, TimeProvider time)
{
    /// <summary>The detector name of attestation alerts.</summary>
    public const string Detector = "supplychain.attestation";

    // The nonce this node last published per device (retained), so that clearing an answered challenge
    // never wipes a newer one this node sent meanwhile. Everything a verdict rests on (which nonce is
    // outstanding, which a newer one replaced, which answer took one) is in the store, shared by the
    // cluster and kept across a restart: a resend or a superseded answer is judged alike on any node.
    private readonly ConcurrentDictionary<string, string> _published = new(StringComparer.Ordinal);
    private readonly Lock _retained = new();

    /// <summary>
    /// Sends a fresh challenge to the device and returns the nonce. It is stored first (shared by the
    /// cluster, kept across a restart), then published: the broker hands a server publish to the fabric,
    /// so it reaches the device on whichever node holds its session, and that node judges the answer.
    /// <paramref name="secondChance"/>: sent by <see cref="SweepAsync"/> because the last one went unanswered.
    /// </summary>
    public async Task<string> ChallengeAsync(string deviceId, CancellationToken cancellationToken, bool secondChance = false)
    {
        var nonce = Base64Url(RandomNumberGenerator.GetBytes(32));
        await challenges.IssueAsync(deviceId, nonce, time.GetUtcNow(), secondChance, cancellationToken);
        lock (_retained)
        {
            _published[deviceId] = nonce;
            // It expires with the answer's deadline: a retained challenge kept past it (offline device, node restart) would only earn a stale verdict.
            gateway.Broker.Publish(Topic(deviceId), JsonSerializer.SerializeToUtf8Bytes(new { nonce }), MqttQualityOfService.AtLeastOnce, retain: true,
                new MqttProperties { MessageExpiryInterval = (uint)Math.Ceiling(options.AttestationTimeout.TotalSeconds) });
        }

        gateway.Events.Record("supplychain.attestation.challenged", SecuritySeverity.Info, deviceId, null,
            secondChance ? new Dictionary<string, string> { ["reason"] = "the last challenge went unanswered" } : new Dictionary<string, string>());
        return nonce;
    }

    /// <summary>Whether a posture report carries an attestation answer (the rest are posture's and detection's).</summary>
    public static bool IsAnswer(ReadOnlySpan<byte> payload) => payload.IndexOf("\"attestation\""u8) >= 0;

    /// <summary>Judges one answer from <paramref name="deviceId"/> (the publisher the gateway attributed it to).</summary>
    public async Task<AttestationVerdict> JudgeAsync(string deviceId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var (nonce, signature, facts) = Read(payload);
        var now = time.GetUtcNow();
        var details = new Dictionary<string, string> { ["firmware-version"] = facts.FirmwareVersion ?? "-", ["measurement"] = facts.Measurement ?? "-" };

        // 1. Freshness, from the store alone (the same verdict on any node, after a restart): the device's
        // newest nonce, taken by this answer, within the timeout.
        AttestationVerdict? verdict;
        var outcome = nonce.Length == 0 ? new ChallengeOutcome(ChallengeStanding.Unknown, null)
            : await challenges.AnswerAsync(deviceId, nonce, SHA256.HashData(payload.Span), now, cancellationToken);
        var late = outcome.Issued is { } issued && now - issued > options.AttestationTimeout;
        if (late)
        {
            details["issued"] = outcome.Issued!.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        }

        verdict = outcome.Standing switch
        {
            ChallengeStanding.Taken or ChallengeStanding.Superseded when late => AttestationVerdict.Stale,
            ChallengeStanding.Taken => null,
            ChallengeStanding.Superseded => AttestationVerdict.Superseded,
            ChallengeStanding.Resent => AttestationVerdict.Duplicate,
            _ => AttestationVerdict.Replayed,
        };
        if (outcome.Standing == ChallengeStanding.Taken)
        {
            ClearRetained(deviceId, nonce);
        }

        // 2. The device's own signature over what it says.
        if (verdict is null && !await SignedByAsync(deviceId, SignedBytes(deviceId, nonce, facts.FirmwareVersion ?? string.Empty, facts.Measurement ?? string.Empty), signature, cancellationToken))
        {
            verdict = AttestationVerdict.BadSignature;
        }

        // 3. The reference value: the image hash of the signed release the device reports running.
        if (verdict is null)
        {
            var device = await devices.GetAsync(deviceId, cancellationToken);
            var release = device?.Model is { } model && facts.FirmwareVersion is { } version ? await releases.GetAsync(Release.IdOf(model, version), cancellationToken) : null;
            if (release is null)
            {
                verdict = AttestationVerdict.UnknownRelease;
            }
            else
            {
                details["release"] = release.Id;
                details["expected"] = "sha256:" + release.ImageSha256;
                verdict = Normal(facts.Measurement) == release.ImageSha256.ToLowerInvariant() ? AttestationVerdict.Passed : AttestationVerdict.Mismatch;
            }
        }

        await RecordAsync(deviceId, verdict.Value, details, now, cancellationToken);
        return verdict.Value;
    }

    /// <summary>
    /// Judges the challenges left unanswered past <see cref="SupplyChainOptions.AttestationTimeout"/>
    /// (issue 17 item 8: a silent device is not attested, and must not pass as one). Run periodically by
    /// <see cref="AttestationHost"/>. A device connected to this node gets a second challenge, published by
    /// this node itself (so a first one lost on the fabric, core NATS being at most once, is not held
    /// against it); silent through that too, it is <see cref="AttestationVerdict.Unanswered"/>: a high event and
    /// alert (<see cref="SupplyChainOptions.AlertUnanswered"/>), as a stale answer. A device connected to no node
    /// that claimed it within a second timeout went away: a warning, no alert (its next connect challenges it).
    /// Returns how many verdicts were given.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var verdicts = 0;
        foreach (var overdue in await challenges.OverdueAsync(now - options.AttestationTimeout, 1000, now, cancellationToken))
        {
            var connected = gateway.Broker.IsConnected(overdue.DeviceId);
            if (!connected && now - overdue.Issued <= 2 * options.AttestationTimeout)
            {
                continue; // the node holding the device's session judges it first
            }

            if (!await challenges.ClaimUnansweredAsync(overdue, now, cancellationToken))
            {
                continue;
            }

            if (connected && !overdue.SecondChance)
            {
                await ChallengeAsync(overdue.DeviceId, cancellationToken, secondChance: true);
                continue;
            }

            var details = new Dictionary<string, string>
            {
                ["issued"] = overdue.Issued.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["connected"] = connected ? "true" : "false",
            };
            await RecordAsync(overdue.DeviceId, AttestationVerdict.Unanswered, details, now, cancellationToken);
            verdicts++;
        }

        return verdicts;
    }

    /// <summary>
    /// The bytes the device signed: the same text as the SDK's <c>AttestationResponder.SignedBytes</c>
    /// (the node does not reference the device SDK; the end-to-end test holds them together).
    /// </summary>
    public static byte[] SignedBytes(string deviceId, string nonce, string firmwareVersion, string measurement) =>
        Encoding.UTF8.GetBytes($"rampart-attestation-v1\n{deviceId}\n{nonce}\n{firmwareVersion}\n{measurement}");

    private async Task RecordAsync(string deviceId, AttestationVerdict verdict, Dictionary<string, string> details, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var kind = verdict switch
        {
            AttestationVerdict.Passed => "passed",
            AttestationVerdict.Mismatch => "mismatch",
            AttestationVerdict.Stale => "stale",
            AttestationVerdict.Replayed => "replayed",
            AttestationVerdict.BadSignature => "bad-signature",
            AttestationVerdict.Duplicate => "duplicate",
            AttestationVerdict.Superseded => "superseded",
            AttestationVerdict.Unanswered => "unanswered",
            _ => "unknown-release",
        };
        var severity = verdict switch
        {
            AttestationVerdict.Passed or AttestationVerdict.Duplicate or AttestationVerdict.Superseded => SecuritySeverity.Info,
            AttestationVerdict.UnknownRelease => SecuritySeverity.Warning,
            AttestationVerdict.Unanswered when details["connected"] != "true" || !options.AlertUnanswered => SecuritySeverity.Warning,
            _ => SecuritySeverity.High,
        };
        gateway.Events.Record("supplychain.attestation." + kind, severity, deviceId, null, details);
        if (severity != SecuritySeverity.High)
        {
            return;
        }

        // Tamper feeds quarantine through detection's alert and response path (its policy decides the action).
        var summary = verdict switch
        {
            AttestationVerdict.Mismatch => $"firmware measurement {details["measurement"]} is not {details["expected"]}, the image of release {details["release"]} it reports running",
            AttestationVerdict.Stale => "attestation answer came after the challenge expired",
            AttestationVerdict.Replayed => "attestation answer carries a nonce that is not the device's outstanding challenge (replayed)",
            AttestationVerdict.Unanswered => "the device stayed connected but answered neither its attestation challenge nor a second one",
            _ => "attestation answer is not signed by the device's certificate",
        };
        var changes = await alerts.RaiseAsync([new Finding(Detector, deviceId, verdict == AttestationVerdict.Mismatch ? AlertSeverity.Critical : AlertSeverity.High,
            summary, new Dictionary<string, string>(details) { ["verdict"] = kind }, now)], cancellationToken);
        await response.HandleAsync(changes, cancellationToken);
    }

    private async Task<bool> SignedByAsync(string deviceId, byte[] signed, byte[] signature, CancellationToken cancellationToken)
    {
        if (signature.Length == 0)
        {
            return false;
        }

        var now = time.GetUtcNow();
        foreach (var issued in await certificates.ListAsync("device", deviceId, cancellationToken))
        {
            if (issued.Revoked || issued.NotBefore > now || issued.NotAfter < now)
            {
                continue;
            }

            using var certificate = X509CertificateLoader.LoadCertificate(issued.Der);
            using var ecdsa = certificate.GetECDsaPublicKey();
            using var rsa = ecdsa is null ? certificate.GetRSAPublicKey() : null;
            if ((ecdsa?.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence) ?? false)
                || (rsa?.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss) ?? false))
            {
                return true;
            }
        }

        return false;
    }

    // Clears the answered challenge's retained copy (so a later subscribe does not fetch a spent nonce),
    // unless this node has published a newer one for the device meanwhile, which must stay.
    private void ClearRetained(string deviceId, string answered)
    {
        lock (_retained)
        {
            if (_published.TryGetValue(deviceId, out var latest) && latest != answered)
            {
                return;
            }

            _published.TryRemove(deviceId, out _);
            gateway.Broker.Publish(Topic(deviceId), ReadOnlyMemory<byte>.Empty, MqttQualityOfService.AtLeastOnce, retain: true);
        }
    }

    private static (string Nonce, byte[] Signature, PostureFacts Facts) Read(ReadOnlyMemory<byte> payload)
    {
        var facts = PostureFacts.Parse(payload.Span);
        using var document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 8 });
        var nonce = string.Empty;
        var signature = Array.Empty<byte>();
        if (document.RootElement.TryGetProperty("attestation", out var attestation) && attestation.ValueKind == JsonValueKind.Object)
        {
            nonce = attestation.TryGetProperty("nonce", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() ?? string.Empty : string.Empty;
            if (attestation.TryGetProperty("signature", out var s) && s.ValueKind == JsonValueKind.String && s.TryGetBytesFromBase64(out var bytes))
            {
                signature = bytes;
            }
        }

        return (nonce, signature, facts);
    }

    private static string Normal(string? measurement)
    {
        var text = (measurement ?? string.Empty).Trim().ToLowerInvariant();
        return text.StartsWith("sha256:", StringComparison.Ordinal) ? text[7..] : text;
    }

    private static string Topic(string deviceId) => $"devices/{deviceId}/commands/attest";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
