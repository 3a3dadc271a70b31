using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Detection.Export;
using Rampart.Fleet.Operators;
using Rampart.Server.Detection;
using Rampart.Server.Export;
using Rampart.Server.Tests.Export;
using Rampart.Storage;
using Rampart.Storage.Postgres;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Storage;

/// <summary>
/// Detection and export on a node on provider postgres: an alert is raised into PostgreSQL, listed
/// over the HTTPS API, and its event goes through the PostgreSQL outbox to a real webhook receiver.
/// </summary>
public sealed class PostgresDetectionExportTests : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_alert_on_a_postgres_node_is_stored_in_postgres_listed_over_the_api_and_exported_through_the_postgres_outbox()
    {
        var connectionString = await PostgresServer.NewDatabaseAsync();
        var pki = ExportPki.Create(_temp.Sub("pki"));
        using var receiver = await Receiver.WebhookAsync(pki, _temp.Sub("hooks.jsonl"), WebhookExportTests.Secret);
        var settings = WebhookExportTests.Settings(pki, receiver.Port);
        settings["Rampart:Storage:Provider"] = "postgres";
        settings["Rampart:Storage:ConnectionString"] = connectionString;
        var data = _temp.Sub("data");
        await using var node = await TestNode.StartAsync(data, settings);
        var stores = node.Node.Services.GetRequiredService<NodeStores>();
        Assert.IsType<PostgresNodeStores>(stores);
        Assert.Same(stores.Alerts, node.Node.Services.GetRequiredService<IAlertStore>());
        Assert.Same(stores.ExportOutbox, node.Node.Services.GetRequiredService<IExportOutbox>());

        var changes = await node.Node.Services.GetRequiredService<AlertService>().RaiseAsync(
            [new Finding("novelty.listening-port", "pg-sensor", AlertSeverity.High, "new listening port 23", new Dictionary<string, string> { ["new-ports"] = "23" }, DateTimeOffset.UtcNow)],
            CancellationToken.None);
        var id = changes[0].Alert.Id;

        using var client = node.HttpsClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await OperatorTokenAsync(node));
        using var listed = await client.GetAsync("api/v1/alerts?device=pg-sensor");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(id, Assert.Single((await listed.Content.ReadFromJsonAsync<AlertPage>(Json))!.Items).Id);

        await Eventually.HoldsAsync(
            () => Task.FromResult(receiver.Received().Any(line => line.GetProperty("verified").GetBoolean()
                && JsonSerializer.Deserialize<ExportRecord>(Convert.FromBase64String(line.GetProperty("body").GetString()!))!.Kind == "alert.opened")),
            "the alert's event reached the webhook receiver");
        await Eventually.HoldsAsync(async () =>
        {
            using var status = await client.GetAsync("api/v1/export/status");
            var siem = (await status.Content.ReadFromJsonAsync<ExportStatusResponse[]>(Json))!.SingleOrDefault(s => s.Destination == "webhook:siem");
            return status.StatusCode == HttpStatusCode.OK && siem is { Delivered: > 0 };
        }, "export status counts the delivery");

        // Both went to PostgreSQL: the alert row, the outbox's destination and cursor; no SQLite file of the node's own.
        Assert.Equal("open", await PostgresNodes.ScalarAsync(connectionString, $"SELECT state FROM alerts WHERE id = {id}"));
        Assert.True((long)(await PostgresNodes.ScalarAsync(connectionString, "SELECT delivered FROM export_destinations WHERE name = 'webhook:siem'"))! > 0);
        Assert.True((long)(await PostgresNodes.ScalarAsync(connectionString, $"SELECT position FROM export_cursors WHERE source = '{OutboxSources.SecurityEvents}'"))! > 0);
        Assert.False(File.Exists(Path.Combine(data, "rampart.db")));
    }

    // An operator (no TOTP needed) holds alerts.read and metrics.read: what both endpoints ask.
    private static async Task<string> OperatorTokenAsync(TestNode node)
    {
        var services = node.Node.Services;
        var users = services.GetRequiredService<UserService>();
        var invitation = await users.InviteAsync("pg-operator", "operator", null, null, "local-admin", CancellationToken.None);
        var activation = await users.ActivateAsync(invitation.Token, null, "tidal-orbit-quince-7-lantern", CancellationToken.None);
        Assert.True(activation.Activated);
        var user = await users.GetActiveAsync("pg-operator", CancellationToken.None);
        return (await services.GetRequiredService<ApiTokenService>().CreateAsync(OperatorIdentity.Of(user!), "pg", null, TimeSpan.FromHours(1), CancellationToken.None)).Token;
    }
}
