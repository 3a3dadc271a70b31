using Rampart.Detection.Alerts;
using Rampart.Detection.Response;
using Rampart.Device.Connection;
using Rampart.Device.Enrollment;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Detection;

/// <summary>The "tighten limits" response over real mutual TLS with the device SDK: live, persisted across a restart, audited, restored with its alert.</summary>
public sealed class TightenLimitsTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Rampart:Detection:Window"] = "00:00:01",
        ["Rampart:Detection:Response:Rules:0:Detectors:0"] = "novelty.listening-port",
        ["Rampart:Detection:Response:Rules:0:MinimumSeverity"] = "High",
        ["Rampart:Detection:Response:Rules:0:Action"] = "TightenLimits",
        ["Rampart:Detection:Response:Tightened:MessagesPerSecond"] = "0.5",
        ["Rampart:Detection:Response:Tightened:MessageBurst"] = "3",
    };

    [Fact]
    public async Task A_device_whose_alert_tightens_its_limits_is_throttled_on_its_live_session_after_a_restart_too_until_the_alert_is_resolved()
    {
        await using var node = await GatewayNode.StartAsync(Settings);
        var (_, token) = await node.Get<InventoryService>().AddAsync(new NewDevice("tight-1", Model: "sensor"), "test", CancellationToken.None);
        var certificate = await new EstClient(node.Node.Node.HttpsUri, node.Root).EnrollAsync("tight-1", token.Token, CancellationToken.None);
        var device = new DeviceMqttClient(DetectionEndToEndTests.Options(node, "tight-1", certificate));
        try
        {
            await device.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(MqttReasonCode.Success, await device.ReportPostureAsync(DetectionEndToEndTests.Posture([443])));
            Assert.All(await BurstAsync(device, 10), code => Assert.Equal(MqttReasonCode.Success, code));

            // A telnet port appears: the response tightens the limits of the session as it is.
            Assert.Equal(MqttReasonCode.Success, await device.ReportPostureAsync(DetectionEndToEndTests.Posture([443, 23])));
            var alerts = node.Get<AlertService>();
            Alert? alert = null;
            await Eventually.HoldsAsync(async () =>
            {
                alert = (await alerts.ListAsync(new AlertQuery(DeviceId: "tight-1"), CancellationToken.None)).FirstOrDefault(a => a.Response is not null);
                return alert is not null;
            }, "the node raises an alert and responds to it");
            Assert.Equal("limits tightened to 0.5 messages/s, 4096 bytes/s", alert!.Response);

            // Applied before the response was recorded: the same connection is throttled now (0x96), no reconnect.
            var throttled = await BurstAsync(device, 10);
            Assert.Contains(MqttReasonCode.MessageRateTooHigh, throttled);
            Assert.True(throttled.Count(c => c == MqttReasonCode.Success) <= 4, string.Join(",", throttled));
            Assert.Equal(1, device.Connections);
            Assert.Equal(DeviceState.Active, (await node.Get<InventoryService>().GetAsync("tight-1", CancellationToken.None)).State);

            var stored = Assert.Single(await node.Get<ILimitOverrideStore>().ListAsync(CancellationToken.None));
            Assert.Equal(("tight-1", alert.Id, 0.5), (stored.DeviceId, stored.AlertId, stored.Limits.MessagesPerSecond));
            var audited = await AuditAsync(node, "device.limits-tightened");
            Assert.Equal("device/tight-1", audited.Target);
            Assert.Equal(alert.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Details(audited)["alert"]);

            // A restart forgets nothing: the next session of the device starts tightened.
            await device.DisposeAsync();
            await node.RestartAsync();
            device = new DeviceMqttClient(DetectionEndToEndTests.Options(node, "tight-1", certificate));
            await device.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Contains(MqttReasonCode.MessageRateTooHigh, await BurstAsync(device, 10));

            // A person resolves the alert: the limits are restored within a window, audited.
            await node.Get<AlertService>().ResolveAsync(alert.Id, "officer", "telnet removed", CancellationToken.None);
            await Eventually.HoldsAsync(async () => (await node.Get<ILimitOverrideStore>().ListAsync(CancellationToken.None)).Count == 0,
                "the override is removed with its alert");
            await Eventually.HoldsAsync(async () => (await BurstAsync(device, 10)).All(c => c == MqttReasonCode.Success),
                "the session publishes at the default limits again");
            Assert.Contains("resolved by officer", Details(await AuditAsync(node, "device.limits-restored"))["reason"], StringComparison.Ordinal);
        }
        finally
        {
            await device.DisposeAsync();
        }
    }

    private static Dictionary<string, string> Details(AuditEntry entry) =>
        System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(entry.Details) ?? [];

    private static async Task<AuditEntry> AuditAsync(GatewayNode node, string action)
    {
        AuditEntry? found = null;
        await Eventually.HoldsAsync(async () =>
        {
            await foreach (var entry in node.Get<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None))
            {
                found = entry.Action == action ? entry : found;
            }

            return found is not null;
        }, $"an audit entry {action}");
        return found!;
    }

    private static async Task<MqttReasonCode[]> BurstAsync(DeviceMqttClient device, int count)
    {
        var codes = new MqttReasonCode[count];
        for (var i = 0; i < count; i++)
        {
            codes[i] = await device.PublishAsync("devices/tight-1/telemetry/temp", "21.5"u8.ToArray());
        }

        return codes;
    }
}
