using System.Security.Cryptography.X509Certificates;
using Rampart.Detection.Alerts;
using Rampart.Detection.Response;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Updates;
using Rampart.Updates.Releases;
using Rampart.Device.Connection;
using Rampart.Device.Enrollment;
using Rampart.Device.Posture;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Detection;

/// <summary>A real device (the SDK over mutual TLS to a real node) misbehaves, is alerted on and quarantined by the node on its own.</summary>
public sealed class DetectionEndToEndTests
{
    private static readonly Dictionary<string, string?> OneSecondWindows = new() { ["Rampart:Detection:Window"] = "00:00:01" };

    [Fact]
    public async Task A_device_that_opens_a_telnet_port_is_alerted_and_quarantined_without_reconnecting()
    {
        await using var node = await GatewayNode.StartAsync(OneSecondWindows);
        var (_, token) = await node.Get<InventoryService>().AddAsync(new NewDevice("e2e-1", Model: "sensor"), "test", CancellationToken.None);
        var certificate = await new EstClient(node.Node.Node.HttpsUri, node.Root).EnrollAsync("e2e-1", token.Token, CancellationToken.None);
        await using var device = new DeviceMqttClient(Options(node, "e2e-1", certificate));
        await device.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(MqttReasonCode.Success, await device.ReportPostureAsync(Posture([443])));
        Assert.Equal(MqttReasonCode.Success, await device.PublishAsync("devices/e2e-1/telemetry/temp", "21.5"u8.ToArray()));

        // A telnet service appears on the device.
        Assert.Equal(MqttReasonCode.Success, await device.ReportPostureAsync(Posture([443, 23])));

        var alerts = node.Get<AlertService>();
        Alert? alert = null;
        await Eventually.HoldsAsync(async () =>
        {
            alert = (await alerts.ListAsync(new AlertQuery(DeviceId: "e2e-1"), CancellationToken.None)).FirstOrDefault(a => a.Detector == "novelty.listening-port" && a.Response is not null);
            return alert is not null;
        }, "the node raises an alert and responds to it");
        Assert.Equal("quarantined", alert!.Response);
        Assert.Equal("23", alert.Evidence["new-ports"]);
        Assert.Equal(DeviceState.Quarantined, (await node.Get<InventoryService>().GetAsync("e2e-1", CancellationToken.None)).State);

        // Release needs proof, whichever command asks: the inventory's `device release` is refused like `alerts release`.
        // Asked before the device reports again: a report that lands in a later detection window than the
        // quarantine would count as fresh, so after one the refusal's reason depends on the machine's speed.
        var release = node.Get<QuarantineRelease>();
        var inventory = node.Get<InventoryService>();
        var stale = await RampartCli.RunAsync("device", "release", "e2e-1", "--reason", "fixed", "--data", node.Node.Node.DataDirectory);
        Assert.True(stale.ExitCode == 2, stale.Output);
        Assert.Contains("has sent no posture report with its firmware measurement since it was quarantined", stale.Output, StringComparison.Ordinal);
        Assert.Equal(DeviceState.Quarantined, (await inventory.GetAsync("e2e-1", CancellationToken.None)).State);

        // The live session has the quarantine permissions now: telemetry is refused, the state topic still open, no reconnect.
        await Eventually.HoldsAsync(async () => await device.PublishAsync("devices/e2e-1/telemetry/temp", "1"u8.ToArray()) == MqttReasonCode.NotAuthorized,
            "the live session loses its permissions");
        Assert.Equal(MqttReasonCode.Success, await device.ReportPostureAsync(Posture([443])));
        Assert.Equal(1, device.Connections);

        var events = await node.Get<ISecurityEventStore>().ListAsync("e2e-1", 200, CancellationToken.None);
        Assert.Contains(events, e => e.Event.Kind == "alert.opened" && e.Event.Details["detector"] == "novelty.listening-port");
        Assert.Contains(events, e => e.Event.Kind == "response.quarantine" && e.Event.Details["alert"] == alert.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await Eventually.HoldsAsync(async () =>
        {
            await device.ReportPostureAsync(Posture([443]));
            var refused = await Assert.ThrowsAsync<FleetException>(() => inventory.ReleaseAsync("e2e-1", "fixed", "officer", release, CancellationToken.None));
            return refused.Message.Contains("no installed release is known for device e2e-1", StringComparison.Ordinal);
        }, "a fresh posture of a device with no installed release recorded is refused");

        // The device reports what it has installed (the SDK's updater does so when it starts): its word alone is not enough.
        Assert.Equal(MqttReasonCode.Success, await device.PublishAsync("devices/e2e-1/state", """{"update":{"installed":{"version":"2.1.0","svn":1}}}"""u8.ToArray()));
        await Eventually.HoldsAsync(async () =>
        {
            var refused = await Assert.ThrowsAsync<FleetException>(() => inventory.ReleaseAsync("e2e-1", "fixed", "officer", release, CancellationToken.None));
            return refused.Message.Contains("its own update report says 2.1.0, but no rollout of this node installed a release on it", StringComparison.Ordinal);
        }, "the device's own update report is not trusted alone");

        // What a successful rollout of 2.1.0 records (RolloutFirmwareTests shows a rollout doing it); a report of another version disagrees.
        await SetFirmwareAsync(node, "e2e-1", "2.1.0");
        Assert.Equal(MqttReasonCode.Success, await device.PublishAsync("devices/e2e-1/state", """{"update":{"installed":{"version":"9.9.9","svn":1}}}"""u8.ToArray()));
        await Eventually.HoldsAsync(async () =>
        {
            var refused = await Assert.ThrowsAsync<FleetException>(() => inventory.ReleaseAsync("e2e-1", "fixed", "officer", release, CancellationToken.None));
            return refused.Message.Contains("reports it runs 9.9.9, not 2.1.0 that its last successful rollout installed", StringComparison.Ordinal);
        }, "a report that disagrees with the installed release is refused");
        Assert.Equal(MqttReasonCode.Success, await device.PublishAsync("devices/e2e-1/state", """{"update":{"installed":{"version":"2.1.0","svn":1}}}"""u8.ToArray()));
        await Eventually.HoldsAsync(async () =>
        {
            var refused = await Assert.ThrowsAsync<FleetException>(() => inventory.ReleaseAsync("e2e-1", "fixed", "officer", release, CancellationToken.None));
            return refused.Message.Contains("no release 2.1.0 of model sensor is known", StringComparison.Ordinal);
        }, "a fresh posture is judged against the installed release");
        await AddReleaseAsync(node, "sensor", "2.1.0", imageSha256: new string('b', 64));
        await Eventually.HoldsAsync(async () =>
        {
            await device.ReportPostureAsync(Posture([443]));
            var refused = await RampartCli.RunAsync("alerts", "release", "e2e-1", "--reason", "fixed", "--data", node.Node.Node.DataDirectory);
            return refused.ExitCode == 2 && refused.Output.Contains("stays quarantined", StringComparison.Ordinal);
        }, "a posture since the quarantine is judged against the release");
        Assert.Equal(DeviceState.Quarantined, (await inventory.GetAsync("e2e-1", CancellationToken.None)).State);

        var released = default(Rampart.Fleet.Inventory.Device);
        await Eventually.HoldsAsync(async () =>
        {
            await device.ReportPostureAsync(Posture([443], measurement: "sha256:" + new string('b', 64)));
            try
            {
                await inventory.ReleaseAsync("e2e-1", "telnet removed, firmware re-flashed", "officer", release, CancellationToken.None);
                released = await inventory.GetAsync("e2e-1", CancellationToken.None);
                return true;
            }
            catch (FleetException exception) when (exception.Kind == FleetErrorKind.Conflict)
            {
                return false;
            }
        }, "the device is released once it reports the release's measurement");
        Assert.Equal(DeviceState.Active, released!.State);

        // Waited for on the node's side, not by publishing: every refused publish counts toward
        // Gateway:DenialsBeforeDisconnect (20), and on a loaded machine the swap can outlast 20 polls,
        // which would end the session this test says is kept.
        await Eventually.HoldsAsync(async () => (await node.Get<ISecurityEventStore>().ListAsync("e2e-1", 200, CancellationToken.None))
            .Any(e => e.Event.Kind == "gateway.permissions-changed" && e.Event.Details.GetValueOrDefault("template") == "device"),
            "the node gives the live session its permissions back");
        Assert.Equal(MqttReasonCode.Success, await device.PublishAsync("devices/e2e-1/telemetry/temp", "2"u8.ToArray()));
        Assert.Equal(1, device.Connections);

        // The release resolved the old alert: the device opening telnet again is a new alert, contained again.
        await Eventually.HoldsAsync(async () => (await alerts.GetAsync(alert.Id, CancellationToken.None)).State == AlertState.Resolved,
            "the release resolves the device's alert");
        Assert.Equal(MqttReasonCode.Success, await device.ReportPostureAsync(Posture([443, 23], measurement: "sha256:" + new string('b', 64))));
        await Eventually.HoldsAsync(async () => (await inventory.GetAsync("e2e-1", CancellationToken.None)).State == DeviceState.Quarantined,
            "a released device that misbehaves again is quarantined again");
        var again = (await alerts.ListAsync(new AlertQuery(DeviceId: "e2e-1"), CancellationToken.None)).Single(a => a.Active);
        Assert.NotEqual(alert.Id, again.Id);
        Assert.Equal("quarantined", again.Response);
    }

    internal static async Task SetFirmwareAsync(GatewayNode node, string deviceId, string version) =>
        await node.Get<IAuditLog>().CommitAsync(async (transaction, commit) =>
            await node.Get<IDeviceStore>().SetFirmwareVersionAsync(transaction, deviceId, version, commit)
                ? AuditedOutcome<bool>.Done(true, new AuditRecord("test", "device.firmware-recorded", $"device/{deviceId}", AuditOutcome.Success))
                : throw new InvalidOperationException("no such device"));

    private static async Task AddReleaseAsync(GatewayNode node, string model, string version, string imageSha256)
    {
        var record = new Release(Release.IdOf(model, version), model, version, 1, [], "image", "manifest", imageSha256, 1, null, ReleaseStatus.Production, "test",
            DateTimeOffset.UtcNow, "test", DateTimeOffset.UtcNow);
        await node.Get<IAuditLog>().CommitAsync(async (transaction, commit) =>
            await node.Get<IReleaseStore>().TryAddAsync(transaction, record, commit)
                ? AuditedOutcome<bool>.Done(true, new AuditRecord("test", "release.created", $"release/{record.Id}", AuditOutcome.Success))
                : throw new InvalidOperationException("the release exists"));
    }

    [Fact]
    public async Task A_well_behaved_device_over_many_windows_raises_no_alert()
    {
        await using var node = await GatewayNode.StartAsync(OneSecondWindows);
        var (_, token) = await node.Get<InventoryService>().AddAsync(new NewDevice("calm-1", Model: "sensor"), "test", CancellationToken.None);
        var certificate = await new EstClient(node.Node.Node.HttpsUri, node.Root).EnrollAsync("calm-1", token.Token, CancellationToken.None);
        await using var device = new DeviceMqttClient(Options(node, "calm-1", certificate));
        await device.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(MqttReasonCode.Success, await device.ReportPostureAsync(Posture([443])));
        var host = node.Get<Rampart.Server.Detection.DetectionHost>();
        var passes = host.Passes;

        // At least five windows of ordinary telemetry and posture.
        await Eventually.HoldsAsync(async () =>
        {
            await device.PublishAsync("devices/calm-1/telemetry/temp", "21.5"u8.ToArray());
            await device.ReportPostureAsync(Posture([443]));
            return host.Passes >= passes + 5;
        }, "five windows pass");

        Assert.Empty(await node.Get<AlertService>().ListAsync(new AlertQuery(DeviceId: "calm-1"), CancellationToken.None));
        Assert.Equal(0, host.Failures);
        Assert.Equal(DeviceState.Active, (await node.Get<InventoryService>().GetAsync("calm-1", CancellationToken.None)).State);
    }

    internal static PostureReport Posture(int[] ports, string? measurement = null) =>
        new("2.1.0", 3, TimeSpan.FromHours(5), ports, [], DateTimeOffset.UtcNow, measurement ?? "sha256:" + new string('a', 64));

    internal static DeviceConnectionOptions Options(GatewayNode node, string id, X509Certificate2 certificate) => new()
    {
        DeviceId = id,
        Host = "127.0.0.1",
        Port = node.Mqtt.Port,
        TrustedRoot = node.Root,
        Certificate = () => certificate,
        InitialReconnectDelay = TimeSpan.FromMilliseconds(100),
        MaximumReconnectDelay = TimeSpan.FromSeconds(1),
    };
}
