using System.Collections.Concurrent;
using Rampart.Server.Admin;
using Rampart.Server.Setup;
using Rampart.Testing;

namespace Rampart.Server.Tests.EndToEnd;

public sealed class CrashTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_kill_9_during_a_burst_of_appends_leaves_a_chain_that_verifies()
    {
        var data = _temp.Sub("data");
        using var node = RampartCli.Serve(data);
        await RampartCli.WaitUntilReadyAsync(node);

        // 1. A burst of audited operations from 16 clients: bounded by count and by time.
        var acknowledged = new ConcurrentBag<SetupTokenResponse>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var burst = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            using var client = new AdminClient(Path.Combine(data, "admin.sock"));
            for (var i = 0; i < 200 && !stop.IsCancellationRequested; i++)
            {
                try
                {
                    acknowledged.Add(await client.SendAsync<SetupTokenResponse>(HttpMethod.Post, "api/v1/setup-token", stop.Token));
                }
                catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or IOException)
                {
                    return; // the node is gone
                }
            }
        })).ToArray();

        // 2. Kill it mid-burst, with appends in flight.
        while (acknowledged.Count < 150 && !stop.IsCancellationRequested)
        {
            await Task.Delay(5);
        }

        Assert.True(acknowledged.Count >= 150, $"the burst reached only {acknowledged.Count} operations before its time limit");
        node.KillHard();
        await node.WaitForExitAsync(RampartCli.Patience);
        await stop.CancelAsync();
        await Task.WhenAll(burst);

        // 3. What remains verifies, and holds at least every acknowledged operation.
        var (exitCode, output) = await RampartCli.RunAsync("audit", "verify", "--data", data);
        Assert.True(exitCode == 0, output);
        var entries = long.Parse(System.Text.RegularExpressions.Regex.Match(output, @"intact: (\d+) entries").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(entries >= acknowledged.Count + 2, $"{entries} entries for {acknowledged.Count} acknowledged rotations");

        // 4. The next start signs a checkpoint over the tail the crash left unsigned.
        await using (await TestNode.StartAsync(data))
        {
        }

        var (afterCode, after) = await RampartCli.RunAsync("audit", "verify", "--data", data);
        Assert.True(afterCode == 0, after);
        Assert.Matches(@"[1-9]\d* checkpoints verified", after);
    }
}
