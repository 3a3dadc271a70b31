using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Detection.Export;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;
using Rampart.Server.Admin;
using Rampart.Server.Setup;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Testing;

namespace Rampart.Server.Tests.Export;

/// <summary>The outbox across a kill -9 of a real <c>rampart serve</c> process while its receiver is down.</summary>
public sealed class ExportCrashTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_kill_9_while_records_queue_for_a_receiver_that_is_down_loses_none_and_repeats_only_under_the_same_id()
    {
        var pki = ExportPki.Create(_temp.Sub("pki"));
        var port = Receiver.FreePort();
        var data = _temp.Sub("data");
        var settings = WebhookExportTests.Settings(pki, port);

        // Every audited batch signs a checkpoint, and every checkpoint is exported: a steady stream of records.
        settings["Rampart:Audit:CheckpointInterval"] = "1";

        // 1. A real node process, its receiver down, audited operations producing checkpoints; killed with SIGKILL mid-stream.
        using (var node = RampartCli.Serve(data, environment: settings.ToDictionary(pair => pair.Key.Replace(":", "__", StringComparison.Ordinal), pair => pair.Value!)))
        {
            await RampartCli.WaitUntilReadyAsync(node);
            using var client = new AdminClient(Path.Combine(data, "admin.sock"));
            for (var i = 0; i < 40; i++)
            {
                await client.SendAsync<SetupTokenResponse>(HttpMethod.Post, "api/v1/setup-token", CancellationToken.None);
            }

            await Eventually.HoldsAsync(async () => await OutboxStateAsync(data) is ({ } rows, { } tried) && rows > 0 && tried > 0,
                "the running node queued records and tried its receiver");
            node.KillHard();
            await node.WaitForExitAsync(RampartCli.Patience);
        }

        // The killed node had queued records and tried its receiver: the restart has something to resume.
        var (queued, attempts) = await OutboxStateAsync(data);
        Assert.True(queued > 0, "the killed node queued nothing");
        Assert.True(attempts > 0, "the killed node never tried its receiver");

        // 2. Restart in this process; the receiver comes up; every checkpoint and event in the database must arrive.
        await using var restarted = await TestNode.StartAsync(data, settings);
        using var receiver = await Receiver.WebhookAsync(pki, _temp.Sub("hooks.jsonl"), WebhookExportTests.Secret, port);
        var audit = restarted.Node.Services.GetRequiredService<IAuditStore>();
        var events = restarted.Node.Services.GetRequiredService<ISecurityEventStore>();
        var missing = new List<string>();
        await Eventually.HoldsAsync(async () =>
        {
            var delivered = receiver.Received().Select(line => line.GetProperty("headers").GetProperty("x-rampart-id").GetString()!).ToHashSet(StringComparer.Ordinal);
            missing = (await ExpectedAsync(audit, events)).Where(id => !delivered.Contains(id)).ToList();
            return missing.Count == 0;
        }, "every checkpoint and event in the database reached the receiver");

        var bodies = receiver.Received().Select(line => (
            Id: line.GetProperty("headers").GetProperty("x-rampart-id").GetString()!,
            Body: line.GetProperty("body").GetString()!)).ToList();
        var checkpoints = bodies.Count(b => b.Id.StartsWith("checkpoint-", StringComparison.Ordinal));
        Assert.True(checkpoints >= 40, $"only {checkpoints} checkpoints were exported for 40 audited operations");
        Assert.All(bodies.GroupBy(b => b.Id), group => Assert.Single(group.Select(b => b.Body).Distinct()));
        Assert.All(bodies, b => Assert.Equal(b.Id, JsonSerializer.Deserialize<ExportRecord>(Convert.FromBase64String(b.Body))!.Id));
    }

    // Read beside the running node (WAL lets a reader in) or after its death.
    private static async Task<(long? Queued, long? Attempts)> OutboxStateAsync(string data)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "rampart.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) FROM export_outbox), (SELECT failed_attempts FROM export_destinations WHERE name = 'webhook:siem')";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1));
    }

    private static async Task<List<string>> ExpectedAsync(IAuditStore audit, ISecurityEventStore events)
    {
        var ids = new List<string>();
        await foreach (var checkpoint in audit.ReadCheckpointsAsync(CancellationToken.None))
        {
            ids.Add(ExportRecord.Of(checkpoint).Id);
        }

        ids.AddRange((await events.ListAfterAsync(0, null, 100_000, CancellationToken.None)).Select(stored => ExportRecord.Of(stored).Id));
        return ids;
    }
}
