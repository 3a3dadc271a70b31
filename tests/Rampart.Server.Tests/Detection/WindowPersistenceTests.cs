using Rampart.Detection;
using Rampart.Detection.Metrics;
using Rampart.Device.Connection;
using Rampart.Device.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Detection;

/// <summary>Closed windows are stored and put back after a restart: the evidence an alert shows survives it.</summary>
public sealed class WindowPersistenceTests
{
    [Fact]
    public async Task The_last_windows_of_a_device_are_there_again_after_the_node_restarts()
    {
        await using var node = await GatewayNode.StartAsync(new Dictionary<string, string?> { ["Rampart:Detection:Window"] = "00:00:01" });
        var (_, token) = await node.Get<InventoryService>().AddAsync(new NewDevice("win-1", Model: "sensor"), "test", CancellationToken.None);
        var certificate = await new EstClient(node.Node.Node.HttpsUri, node.Root).EnrollAsync("win-1", token.Token, CancellationToken.None);
        await using (var device = new DeviceMqttClient(DetectionEndToEndTests.Options(node, "win-1", certificate)))
        {
            await device.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
            await Eventually.HoldsAsync(async () =>
            {
                Assert.Equal(MqttReasonCode.Success, await device.PublishAsync("devices/win-1/telemetry/temp", new byte[300]));
                return node.Get<DetectionEngine>().Read("win-1", p => p.Recent().Count(w => w[(int)BehaviourMetric.BytesIn] > 0)) >= 3;
            }, "three windows with traffic");
        }

        await node.RestartAsync();

        // Before the device is back, the profile holds what the last run stored: its windows with traffic.
        var after = node.Get<DetectionEngine>().Read("win-1", p => p.Recent());
        Assert.NotNull(after);
        var restored = after.Select(w => w[(int)BehaviourMetric.BytesIn]).Where(b => b > 0).ToArray();
        Assert.True(restored.Length >= 3, $"{restored.Length} windows with traffic restored");
        var stored = await node.Get<IWindowStore>().RecentAsync(DateTimeOffset.UtcNow.AddHours(-1), 100, CancellationToken.None);
        Assert.Subset(stored.Where(w => w.DeviceId == "win-1").Select(w => w.Values[(int)BehaviourMetric.BytesIn]).ToHashSet(), restored.ToHashSet());
    }
}
