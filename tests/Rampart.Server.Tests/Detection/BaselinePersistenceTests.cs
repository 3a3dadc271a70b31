using Rampart.Detection;
using Rampart.Detection.Baselines;
using Rampart.Detection.Metrics;
using Rampart.Fleet.Inventory;
using Rampart.Server.Detection;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Detection;

/// <summary>
/// A node's learned baselines outlive a restart, on both storage providers (issue 14, item 2): saved
/// by the window pass and at an orderly stop, restored before the listeners open, so the first
/// misbehaving window after the restart is judged against the device's own baseline.
/// </summary>
public sealed class BaselinePersistenceTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_device_that_misbehaves_in_its_first_window_after_a_restart_is_alerted_against_its_restored_own_baseline(string provider)
    {
        var settings = new Dictionary<string, string?> { ["Rampart:Detection:BaselineSaveInterval"] = "00:00:00.001" };
        if (provider == "postgres")
        {
            settings["Rampart:Storage:Provider"] = "postgres";
            settings["Rampart:Storage:ConnectionString"] = await PostgresServer.NewDatabaseAsync();
        }

        await using var node = await GatewayNode.StartAsync(settings);
        await node.Get<InventoryService>().AddAsync(new NewDevice("meter-1", Model: "meter"), "test", CancellationToken.None);

        // The device learns its own baseline: 40 calm windows (judged by the node's engine, as the window pass does).
        var random = new Random(21);
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        for (var i = 0; i < 40; i++)
        {
            Assert.Empty(await node.Get<DetectionEngine>().EvaluateAsync([Calm(random, start.AddMinutes(i))], CancellationToken.None));
        }

        // The window pass saves what changed (here every pass: the interval is 1 ms).
        await node.Get<DetectionHost>().CloseWindowAsync(CancellationToken.None);
        var saved = Assert.Single(await node.Get<IBaselineStore>().LoadAsync(10, CancellationToken.None), b => b.DeviceId == "meter-1");
        Assert.Equal(BaselineSnapshot.Bytes, saved.State.Length);

        // One more calm window, then a restart: the orderly stop saves it too.
        Assert.Empty(await node.Get<DetectionEngine>().EvaluateAsync([Calm(random, start.AddMinutes(40))], CancellationToken.None));
        await node.RestartAsync();

        var engine = node.Get<DetectionEngine>();
        Assert.Equal((41, 41), engine.Read("meter-1", p => (p.Own.Samples, p.Reference.Samples)));
        var exfiltrating = Calm(random, start.AddMinutes(41));
        exfiltrating[BehaviourMetric.BytesIn] *= 10;
        var finding = Assert.Single(await engine.EvaluateAsync([exfiltrating], CancellationToken.None));
        Assert.Equal(("baseline.bytes-in", "own", "41"), (finding.Detector, finding.Evidence["baseline"], finding.Evidence["baseline-windows"]));
    }

    // A calm minute of a meter: 10 to 15 messages of 55 to 64 bytes, one session.
    private static BehaviourWindow Calm(Random random, DateTimeOffset start)
    {
        var messages = 10 + random.Next(0, 6);
        return new BehaviourWindow("meter-1", start, start.AddMinutes(1))
        {
            Active = true,
            Sources = ["10.0.0.5"],
            [BehaviourMetric.MessagesIn] = messages,
            [BehaviourMetric.BytesIn] = messages * (55 + random.Next(0, 10)),
            [BehaviourMetric.MaxMessageBytes] = 64,
            [BehaviourMetric.P95MessageBytes] = 64,
            [BehaviourMetric.SessionSeconds] = 60,
            [BehaviourMetric.DistinctTopics] = 1,
        };
    }
}
