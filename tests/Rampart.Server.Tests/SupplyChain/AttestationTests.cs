using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Detection.Alerts;
using Rampart.Device.Connection;
using Rampart.Device.Enrollment;
using Rampart.Device.Posture;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Admin;
using Rampart.Server.SupplyChain;
using Rampart.Server.SupplyChain.Attestation;
using Rampart.Server.Tests.Gateway;
using Rampart.Server.Updates;
using Rampart.Testing;
using Rampart.Updates.Releases;

namespace Rampart.Server.Tests.SupplyChain;

/// <summary>Attestation of what runs, end to end: the node's challenge over MQTT, the device SDK's signed answer, the node's verdict.</summary>
public sealed class AttestationTests
{
    // The node's default; the shared test node turns it off for other capabilities' tests.
    internal static readonly Dictionary<string, string?> AttestOnConnect = new() { ["Rampart:SupplyChain:AttestOnConnect"] = "true" };

    [Fact]
    public async Task A_device_whose_measurement_matches_its_release_passes_and_one_whose_measurement_differs_raises_tamper_and_is_quarantined()
    {
        await using var node = await GatewayNode.StartAsync(AttestOnConnect);
        var release = await ReleaseAsync(node);

        // Each device answers the challenge its connect brings with the SDK's signed posture.
        await using var honest = await DeviceAsync(node, "att-good", "sha256:" + release.ImageSha256);
        await EventAsync(node, "att-good", "supplychain.attestation.passed");

        await using var tampered = await DeviceAsync(node, "att-bad", "sha256:" + new string('0', 64));
        var mismatch = await EventAsync(node, "att-bad", "supplychain.attestation.mismatch");
        Assert.Equal(SecuritySeverity.High, mismatch.Severity);
        Assert.Equal(("sha256:" + release.ImageSha256, release.Id), (mismatch.Details["expected"], mismatch.Details["release"]));
        Alert? alert = null;
        await Eventually.HoldsAsync(async () => (alert = (await node.Get<AlertService>().ListAsync(new AlertQuery(DeviceId: "att-bad"), CancellationToken.None)).SingleOrDefault()) is not null,
            "the mismatch raises an alert");
        Assert.Equal((AttestationService.Detector, Rampart.Detection.Detectors.AlertSeverity.Critical), (alert!.Detector, alert.Severity));
        await Eventually.HoldsAsync(async () => (await node.Get<IDeviceStore>().GetAsync("att-bad", CancellationToken.None))!.State == DeviceState.Quarantined,
            "the tamper alert quarantines the device");
        Assert.Equal(DeviceState.Active, (await node.Get<IDeviceStore>().GetAsync("att-good", CancellationToken.None))!.State);

        // On demand through the API: a fresh nonce, a fresh pass, while the connect's answer may still be
        // unacknowledged on the device (the responder answers beside the client's receive loop, not on it).
        using var admin = new AdminClient(node.Node.Node.AdminSocketPath);
        var challenge = await admin.SendAsync<AttestationChallengeResponse>(HttpMethod.Post, "api/v1/attestation/devices/att-good", CancellationToken.None);
        Assert.Equal(43, challenge.Nonce.Length);
        await Eventually.HoldsAsync(async () => (await Events(node, "att-good", "supplychain.attestation.passed")).Count >= 2, "the on-demand challenge is answered");
    }

    [Fact]
    public async Task A_replayed_answer_is_refused_as_a_high_event_even_though_its_signature_is_the_devices_own_while_a_resend_of_the_last_is_only_noted()
    {
        await using var node = await GatewayNode.StartAsync(AttestOnConnect);
        var release = await ReleaseAsync(node);
        var answers = new System.Collections.Concurrent.ConcurrentQueue<byte[]>();
        using var observation = node.Get<Rampart.Server.Gateway.MqttGateway>().Broker.Observe("devices/att-replay/state", message =>
        {
            if (AttestationService.IsAnswer(message.Payload.Span))
            {
                answers.Enqueue(message.Payload.ToArray());
            }
        });
        await using var device = await DeviceAsync(node, "att-replay", "sha256:" + release.ImageSha256);
        await EventAsync(node, "att-replay", "supplychain.attestation.passed");
        Assert.True(answers.TryPeek(out var first));

        // 1. The same answer again at once, as the SDK resends an unacknowledged publish after a reconnect: noted, not alarmed.
        Assert.Equal(MqttReasonCode.Success, await device.PublishAsync("devices/att-replay/state", first));
        Assert.Equal(SecuritySeverity.Info, (await EventAsync(node, "att-replay", "supplychain.attestation.duplicate")).Severity);

        // 2. A fresh challenge is answered; then the first answer again: its nonce was spent and it is not the last answer, so a replay.
        using var admin = new AdminClient(node.Node.Node.AdminSocketPath);
        await admin.SendAsync<AttestationChallengeResponse>(HttpMethod.Post, "api/v1/attestation/devices/att-replay", CancellationToken.None);
        await Eventually.HoldsAsync(async () => (await Events(node, "att-replay", "supplychain.attestation.passed")).Count >= 2, "the on-demand challenge is answered");
        Assert.Empty(await Events(node, "att-replay", "supplychain.attestation.replayed"));
        Assert.Equal(MqttReasonCode.Success, await device.PublishAsync("devices/att-replay/state", first));
        var replayed = await EventAsync(node, "att-replay", "supplychain.attestation.replayed");
        Assert.Equal(SecuritySeverity.High, replayed.Severity);
        await Eventually.HoldsAsync(async () => (await node.Get<AlertService>().ListAsync(new AlertQuery(DeviceId: "att-replay"), CancellationToken.None)).Any(a => a.Detector == AttestationService.Detector),
            "the replay raises an alert");
    }

    [Fact]
    public async Task Two_challenges_close_together_are_both_answered_without_a_replay_verdict_or_an_alert()
    {
        await using var node = await GatewayNode.StartAsync(AttestOnConnect);
        var release = await ReleaseAsync(node);
        await using var device = await DeviceAsync(node, "att-twice", "sha256:" + release.ImageSha256);
        await EventAsync(node, "att-twice", "supplychain.attestation.passed");

        // The second replaces the first before its answer can come: that answer is superseded (info), the second passes.
        var attestation = node.Get<AttestationService>();
        await attestation.ChallengeAsync("att-twice", CancellationToken.None);
        await attestation.ChallengeAsync("att-twice", CancellationToken.None);
        await Eventually.HoldsAsync(async () => (await Events(node, "att-twice", "supplychain.attestation.passed")).Count
            + (await Events(node, "att-twice", "supplychain.attestation.superseded")).Count >= 3, "both challenges were answered");
        Assert.Empty(await Events(node, "att-twice", "supplychain.attestation.replayed"));
        Assert.Empty(await node.Get<AlertService>().ListAsync(new AlertQuery(DeviceId: "att-twice"), CancellationToken.None));
        Assert.Equal(DeviceState.Active, (await node.Get<IDeviceStore>().GetAsync("att-twice", CancellationToken.None))!.State);
    }

    [Fact]
    public async Task An_answer_signed_by_another_key_fails_its_signature_check()
    {
        await using var node = await GatewayNode.StartAsync(AttestOnConnect);
        var release = await ReleaseAsync(node);
        await using var device = await DeviceAsync(node, "att-forged", "sha256:" + release.ImageSha256, forge: true);
        var forged = await EventAsync(node, "att-forged", "supplychain.attestation.bad-signature");
        Assert.Equal(SecuritySeverity.High, forged.Severity);
        Assert.Empty(await Events(node, "att-forged", "supplychain.attestation.passed"));
    }

    [Fact]
    public async Task A_resend_of_an_answer_after_the_node_restarts_is_a_duplicate_and_an_older_answer_is_still_a_replay()
    {
        await using var node = await GatewayNode.StartAsync(AttestOnConnect);
        var release = await ReleaseAsync(node);
        var answers = new System.Collections.Concurrent.ConcurrentQueue<byte[]>();
        var observation = node.Get<Rampart.Server.Gateway.MqttGateway>().Broker.Observe("devices/att-restart/state", message =>
        {
            if (AttestationService.IsAnswer(message.Payload.Span))
            {
                answers.Enqueue(message.Payload.ToArray());
            }
        });
        X509Certificate2? certificate = null;
        var device = await DeviceAsync(node, "att-restart", "sha256:" + release.ImageSha256, enrolled: c => certificate = c);
        await EventAsync(node, "att-restart", "supplychain.attestation.passed");

        // A second answer passes too, so the first is spent and not the last one taken.
        await node.Get<AttestationService>().ChallengeAsync("att-restart", CancellationToken.None);
        await Eventually.HoldsAsync(async () => (await Events(node, "att-restart", "supplychain.attestation.passed")).Count >= 2, "the second challenge is answered");
        await device.DisposeAsync();
        observation.Dispose();
        Assert.True(answers.Count >= 2);
        var (first, last) = (answers.First(), answers.Last());

        // The node's memory is gone, the store's is not. The device comes back (no responder now) and resends its last answer.
        await node.RestartAsync();
        await using var back = Client(node, "att-restart", certificate!);
        await back.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(MqttReasonCode.Success, await back.PublishAsync("devices/att-restart/state", last));
        Assert.Equal(SecuritySeverity.Info, (await EventAsync(node, "att-restart", "supplychain.attestation.duplicate")).Severity);
        Assert.Empty(await Events(node, "att-restart", "supplychain.attestation.replayed"));

        // The first answer again is not the last one: a replay, after the restart as before it.
        Assert.Equal(MqttReasonCode.Success, await back.PublishAsync("devices/att-restart/state", first));
        Assert.Equal(SecuritySeverity.High, (await EventAsync(node, "att-restart", "supplychain.attestation.replayed")).Severity);
    }

    [Fact]
    public async Task A_connected_device_that_answers_neither_a_challenge_nor_the_second_one_is_flagged_high_and_quarantined_and_one_that_went_away_is_a_warning()
    {
        await using var node = await GatewayNode.StartAsync(new Dictionary<string, string?>(AttestOnConnect)
        {
            ["Rampart:SupplyChain:AttestationTimeout"] = "00:00:02",
            ["Rampart:SupplyChain:AttestationSweepInterval"] = "00:00:00.500",
            ["Rampart:SupplyChain:AlertUnanswered"] = "true",
        });
        await ReleaseAsync(node);

        // Connected, no responder: the connect's challenge goes unanswered, then the second one the node sends itself.
        await using var silent = await DeviceAsync(node, "att-silent", "unused", answers: false);
        var second = await EventAsync(node, "att-silent", "supplychain.attestation.challenged", e => e.Details.ContainsKey("reason"));
        Assert.Equal("the last challenge went unanswered", second.Details["reason"]);
        var unanswered = await EventAsync(node, "att-silent", "supplychain.attestation.unanswered");
        Assert.Equal((SecuritySeverity.High, "true"), (unanswered.Severity, unanswered.Details["connected"]));
        Alert? alert = null;
        await Eventually.HoldsAsync(async () => (alert = (await node.Get<AlertService>().ListAsync(new AlertQuery(DeviceId: "att-silent"), CancellationToken.None)).SingleOrDefault()) is not null,
            "the silent device is alerted");
        Assert.Equal((AttestationService.Detector, Rampart.Detection.Detectors.AlertSeverity.High), (alert!.Detector, alert.Severity));
        await Eventually.HoldsAsync(async () => (await node.Get<IDeviceStore>().GetAsync("att-silent", CancellationToken.None))!.State == DeviceState.Quarantined,
            "the alert quarantines the silent device");
        Assert.Single(await Events(node, "att-silent", "supplychain.attestation.unanswered"));

        // Never connected: an on-demand challenge nobody delivers is a warning once the node holding it had its chance; no alert.
        await node.Get<InventoryService>().AddAsync(new NewDevice("att-away", Model: "sensor"), "test", CancellationToken.None);
        await node.Get<AttestationService>().ChallengeAsync("att-away", CancellationToken.None);
        var away = await EventAsync(node, "att-away", "supplychain.attestation.unanswered");
        Assert.Equal((SecuritySeverity.Warning, "false"), (away.Severity, away.Details["connected"]));
        Assert.Empty(await node.Get<AlertService>().ListAsync(new AlertQuery(DeviceId: "att-away"), CancellationToken.None));
        Assert.DoesNotContain(await Events(node, "att-away", "supplychain.attestation.challenged"), e => e.Details.ContainsKey("reason"));
    }

    internal static async Task<Release> ReleaseAsync(GatewayNode node)
    {
        var uploads = node.Get<ReleaseUploads>();
        var (image, _) = await uploads.StoreAsync(new MemoryStream(RandomNumberGenerator.GetBytes(4096)), CancellationToken.None);
        return await node.Get<ReleaseService>().AddAsync(new NewRelease("sensor", "2.1.0", 1, [], image, null), "release-engineer", CancellationToken.None);
    }

    // An enrolled device of "sensor" running 2.1.0 with the SDK's responder; forge signs with a key that is not its certificate's.
    // port: the MQTT listener to connect to (another cluster node's), by default the node's own; answers: false, no responder (a silent device).
    internal static async Task<DeviceMqttClient> DeviceAsync(GatewayNode node, string id, string measurement, bool forge = false, int? port = null, bool answers = true,
        Action<X509Certificate2>? enrolled = null)
    {
        var (_, token) = await node.Get<InventoryService>().AddAsync(new NewDevice(id, Model: "sensor"), "test", CancellationToken.None);
        var certificate = await new EstClient(node.Node.Node.HttpsUri, node.Root).EnrollAsync(id, token.Token, CancellationToken.None);
        enrolled?.Invoke(certificate);
        var client = Client(node, id, certificate, port);
        if (!answers)
        {
            await client.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            return client;
        }

        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signing = forge ? new CertificateRequest($"CN={id}", other, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1)) : certificate;
        var responder = new AttestationResponder(client, () => signing,
            _ => Task.FromResult(new PostureReport("2.1.0", 1, TimeSpan.FromMinutes(5), [], [], DateTimeOffset.UtcNow, measurement)));
        await responder.StartAsync();
        await client.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return client;
    }

    // A long publish timeout: an answer that waited for its PUBACK on the client's receive loop
    // would hold every later challenge for that long (the on-demand check in the first test fails then).
    internal static DeviceMqttClient Client(GatewayNode node, string id, X509Certificate2 certificate, int? port = null) => new(new DeviceConnectionOptions
    {
        DeviceId = id,
        Host = "127.0.0.1",
        Port = port ?? node.Mqtt.Port,
        TrustedRoot = node.Root,
        Certificate = () => certificate,
        InitialReconnectDelay = TimeSpan.FromMilliseconds(100),
        MaximumReconnectDelay = TimeSpan.FromSeconds(1),
        PublishTimeout = TimeSpan.FromMinutes(10),
    });

    internal static async Task<IReadOnlyList<SecurityEvent>> Events(GatewayNode node, string device, string kind) =>
        [.. (await node.Get<ISecurityEventStore>().ListAsync(device, 500, CancellationToken.None)).Select(e => e.Event).Where(e => e.Kind == kind)];

    internal static async Task<SecurityEvent> EventAsync(GatewayNode node, string device, string kind, Func<SecurityEvent, bool>? where = null)
    {
        SecurityEvent? found = null;
        await Eventually.HoldsAsync(async () => (found = (await Events(node, device, kind)).FirstOrDefault(where ?? (_ => true))) is not null, $"{device}: {kind}");
        return found!;
    }
}
