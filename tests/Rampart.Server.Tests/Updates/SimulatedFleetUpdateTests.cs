using Rampart.Fleet.Inventory;
using Rampart.Server.Updates;
using Rampart.Simulator;
using Rampart.Updates.Rollouts;

namespace Rampart.Server.Tests.Updates;

/// <summary>The simulator's devices take updates through the SDK, so an operator can try rollouts on a simulated fleet.</summary>
public sealed class SimulatedFleetUpdateTests
{
    [Fact]
    public async Task Simulated_devices_install_a_rollout_and_bad_update_devices_roll_back()
    {
        await using var fleet = await UpdateFleet.StartAsync();
        var slots = Path.Combine(Path.GetTempPath(), "rampart-test-slots-" + Guid.NewGuid().ToString("N")[..8]);
        var simulation = new FleetSimulation(new SimulationOptions
        {
            EstServer = fleet.Node.Node.Node.HttpsUri,
            MqttHost = "127.0.0.1",
            MqttPort = fleet.Node.Mqtt.Port,
            TrustedRoot = fleet.Node.Root,
            Devices = 4,
            Model = "sim-meter",
            Misbehaving = new Dictionary<Misbehaviour, int> { [Misbehaviour.BadUpdate] = 2 },
            TelemetryInterval = TimeSpan.FromSeconds(30),
            SlotsDirectory = slots,
        }, new Provisioner(fleet.Node.Get<InventoryService>()));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var running = simulation.RunAsync(stop.Token);
        try
        {
            var rollouts = fleet.Node.Get<RolloutService>();
            while (simulation.Stats.Connected < 4)
            {
                Assert.False(stop.IsCancellationRequested, "the simulated devices did not connect");
                await Task.Delay(200);
            }

            var release = await fleet.ReleaseAsync("sim-meter", "1.1.0", svn: 2, hardware: []);
            var created = await rollouts.CreateAsync(release.Id, "model=sim-meter",
                new RolloutPolicy { CanaryCount = 4, Steps = [100], RatePerMinute = 6000, MinimumExecuted = 4, AbortFailurePercent = 60 }, "op", CancellationToken.None);
            RolloutStatus status;
            while ((status = await rollouts.StatusAsync(created.Rollout.Id, CancellationToken.None)).Rollout.State == RolloutState.Running)
            {
                Assert.False(stop.IsCancellationRequested, "the rollout did not finish");
                await Task.Delay(200);
            }

            Assert.True(status.Rollout.State == RolloutState.Completed, $"{status.Rollout.State}: {status.Rollout.Reason}");

            Assert.Equal((2, 2), (status.Counts[RolloutDeviceState.Succeeded], status.Counts[RolloutDeviceState.RolledBack]));
            var rolledBack = await rollouts.DevicesAsync(created.Rollout.Id, RolloutDeviceState.RolledBack, null, 10, CancellationToken.None);
            Assert.Equal(["sim-00001", "sim-00002"], rolledBack.Select(d => d.DeviceId).Order());
            Assert.Equal(2, simulation.Stats.Updates["succeeded"]);
            Assert.Equal(2, simulation.Stats.Updates["rolled-back"]);
        }
        finally
        {
            await stop.CancelAsync();
            await running;
            Directory.Delete(slots, recursive: true);
        }
    }

    private sealed class Provisioner(InventoryService inventory) : IFleetProvisioner
    {
        public async Task<string> AddDeviceAsync(string id, string model, DateOnly? supportUntil, CancellationToken cancellationToken) =>
            (await inventory.AddAsync(new NewDevice(id, Model: model, SupportUntil: supportUntil), "test", cancellationToken)).Token.Token;
    }
}
