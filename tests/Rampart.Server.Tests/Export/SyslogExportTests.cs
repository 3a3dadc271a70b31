using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Detection.Export;
using Rampart.Detection.Tests.Export;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Operators;
using Rampart.Storage.Audit;
using Rampart.Storage.Sqlite;
using Rampart.Testing;

namespace Rampart.Server.Tests.Export;

/// <summary>Syslog over TLS (RFC 5425) to a real collector: a Python TLS server on loopback, messages parsed back per RFC 5424.</summary>
public sealed class SyslogExportTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private Dictionary<string, string?> Settings(ExportPki pki, int port, string? caFile = null) => new()
    {
        ["Rampart:Export:Syslog:collector:Host"] = "127.0.0.1",
        ["Rampart:Export:Syslog:collector:ServerName"] = "localhost",
        ["Rampart:Export:Syslog:collector:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Rampart:Export:Syslog:collector:CaFile"] = caFile ?? pki.CaFile,
        ["Rampart:Export:Syslog:collector:ClientCertificateFile"] = pki.ClientCertificateFile,
        ["Rampart:Export:Syslog:collector:ClientKeyFile"] = pki.ClientKeyFile,
        ["Rampart:Export:Syslog:collector:Hostname"] = "node-under-test",
        ["Rampart:Export:Outbox:PollInterval"] = "00:00:00.200",
        ["Rampart:Export:Outbox:InitialBackoff"] = "00:00:00.100",
        ["Rampart:Export:Outbox:MaxBackoff"] = "00:00:01",

        // A checkpoint with every batch, so the test sees them without writing a thousand entries.
        ["Rampart:Audit:CheckpointInterval"] = "1",
    };

    private static List<(Rfc5424Message Message, string Tls, bool Client)> Parsed(Receiver collector) =>
        collector.Received().Select(line => (
            Rfc5424Parser.Parse(Convert.FromBase64String(line.GetProperty("message").GetString()!)),
            line.GetProperty("tls").GetString()!,
            line.GetProperty("client").GetBoolean())).ToList();

    [Fact]
    public async Task Events_and_signed_checkpoints_reach_a_tls_collector_as_rfc_5424_messages_with_structured_data()
    {
        var pki = ExportPki.Create(_temp.Sub("pki"));
        using var collector = await Receiver.SyslogAsync(pki, _temp.Sub("syslog.jsonl"), clientCa: pki.CaFile);
        await using var node = await TestNode.StartAsync(_temp.Sub("data"), Settings(pki, collector.Port));
        var evidence = "port 23 \"telnet\" [new] \\ listening";

        await node.Node.Services.GetRequiredService<SecurityEvents>().RecordAsync("alert.opened", SecuritySeverity.High, "sensor-7", "192.0.2.10",
            new Dictionary<string, string> { ["detector"] = "new-listening-port", ["evidence"] = evidence });
        try
        {
            await Eventually.HoldsAsync(() => Task.FromResult(
                Parsed(collector).Any(m => m.Message.MsgId == "alert.opened") && Parsed(collector).Any(m => m.Message.MsgId == "audit.checkpoint")),
                "the alert and a checkpoint reached the collector");
        }
        catch (TimeoutException timeout)
        {
            var status = await node.Node.Services.GetRequiredService<ExportService>().StatusAsync(CancellationToken.None);
            var stored = await node.Node.Services.GetRequiredService<ISecurityEventStore>().ListAsync("sensor-7", 10, CancellationToken.None);
            throw new TimeoutException($"{timeout.Message}; received {string.Join(", ", Parsed(collector).Select(m => m.Message.MsgId))}; the collector printed: {collector.Output}; "
                + $"export status: {string.Join("; ", status)}; stored events of sensor-7: {string.Join(", ", stored.Select(e => e.Id + " " + e.Event.Kind))}", timeout);
        }

        var messages = Parsed(collector);
        Assert.All(messages, m => Assert.Contains(m.Tls, new[] { "TLSv1.2", "TLSv1.3" }));
        Assert.All(messages, m => Assert.True(m.Client, "the node presented its client certificate"));
        var alert = messages.Single(m => m.Message.MsgId == "alert.opened").Message;
        Assert.Equal((10, 2, "node-under-test", "rampart"), (alert.Facility, alert.Severity, alert.Hostname, alert.AppName));
        Assert.Equal("sensor-7", alert.StructuredData["rampart@32473"]["device"]);
        Assert.Equal("192.0.2.10", alert.StructuredData["rampart@32473"]["source"]);
        Assert.StartsWith("event-", alert.StructuredData["rampart@32473"]["id"], StringComparison.Ordinal);
        Assert.Equal(evidence, alert.StructuredData["details@32473"]["evidence"]);

        // The exported checkpoint verifies with the audit public key and matches the local chain.
        var checkpoint = messages.First(m => m.Message.MsgId == "audit.checkpoint").Message.StructuredData["details@32473"];
        using var publicKey = node.Node.Services.GetRequiredService<AuditSigningKey>().ExportPublic();
        Assert.Null(await CheckpointWitness.CheckAsync(checkpoint, publicKey, node.Node.Services.GetRequiredService<IAuditStore>(), CancellationToken.None));

        // The collector's side needs no Rampart: the shell recipe of docs/export.md (openssl) verifies it too, and refuses a moved one.
        string[] Recipe(string seq) =>
            [Path.Combine(AppContext.BaseDirectory, "Export", "verify_checkpoint.sh"), Path.Combine(node.Node.DataDirectory, "audit-signing.pub.pem"),
             seq, checkpoint["hash"], checkpoint["timeMs"], checkpoint["signature"]];
        var genuine = await RunningProcess.RunAsync("sh", Recipe(checkpoint["seq"]), TimeSpan.FromSeconds(60));
        var moved = await RunningProcess.RunAsync("sh", Recipe(checkpoint["seq"] + "0"), TimeSpan.FromSeconds(60));
        Assert.Equal((0, "Verified OK"), (genuine.ExitCode, genuine.Output.Trim()));
        Assert.NotEqual(0, moved.ExitCode);
    }

    [Fact]
    public async Task A_local_log_cut_back_with_its_checkpoints_is_caught_by_the_checkpoint_the_collector_holds()
    {
        var pki = ExportPki.Create(_temp.Sub("pki"));
        using var collector = await Receiver.SyslogAsync(pki, _temp.Sub("syslog.jsonl"));
        var data = _temp.Sub("data");
        ECDsa publicKey;
        await using (var node = await TestNode.StartAsync(data, Settings(pki, collector.Port)))
        {
            publicKey = node.Node.Services.GetRequiredService<AuditSigningKey>().ExportPublic();
            await node.Node.Services.GetRequiredService<SetupTokenService>().RotateAsync("local-admin", null, CancellationToken.None);
            await Eventually.HoldsAsync(() => Task.FromResult(Parsed(collector).Count(m => m.Message.MsgId == "audit.checkpoint") >= 2),
                "two checkpoints reached the collector");
        }

        var newest = Parsed(collector).Where(m => m.Message.MsgId == "audit.checkpoint")
            .Select(m => m.Message.StructuredData["details@32473"]).MaxBy(d => long.Parse(d["seq"], System.Globalization.CultureInfo.InvariantCulture))!;
        var cutFrom = long.Parse(newest["seq"], System.Globalization.CultureInfo.InvariantCulture);
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(data, "rampart.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                DROP TRIGGER audit_entries_append_only_delete; DROP TRIGGER audit_checkpoints_append_only_delete;
                DELETE FROM audit_entries WHERE seq >= {cutFrom}; DELETE FROM audit_checkpoints WHERE seq >= {cutFrom};
                """;
            await command.ExecuteNonQueryAsync();
        }

        var verdict = await CheckpointWitness.CheckAsync(newest, publicKey, new SqliteAuditStore(new SqliteDatabase(Path.Combine(data, "rampart.db"))), CancellationToken.None);
        publicKey.Dispose();

        Assert.Equal($"the local log was truncated: it ends at entry {cutFrom - 1}, but the collector holds a checkpoint signed at entry {cutFrom}", verdict);
    }

    [Fact]
    public async Task A_collector_that_dies_and_comes_back_receives_what_was_recorded_while_it_was_down()
    {
        var pki = ExportPki.Create(_temp.Sub("pki"));
        var port = Receiver.FreePort();
        await using var node = await TestNode.StartAsync(_temp.Sub("data"), Settings(pki, port));
        var events = node.Node.Services.GetRequiredService<SecurityEvents>();
        bool Has(Receiver collector, string device) =>
            Parsed(collector).Any(m => m.Message.StructuredData["rampart@32473"].GetValueOrDefault("device") == device);

        using var first = await Receiver.SyslogAsync(pki, _temp.Sub("first.jsonl"), pki.CaFile, port);
        await events.RecordAsync("alert.opened", SecuritySeverity.High, "before", null);
        await Eventually.HoldsAsync(() => Task.FromResult(Has(first, "before")), "the first event reached the first collector");
        first.Kill();

        await events.RecordAsync("alert.opened", SecuritySeverity.High, "while-down", null);
        var export = node.Node.Services.GetRequiredService<ExportService>();
        await Eventually.HoldsAsync(async () => (await export.StatusAsync(CancellationToken.None)).Single().FailedAttempts >= 1, "delivery failed while the collector was down");
        using var second = await Receiver.SyslogAsync(pki, _temp.Sub("second.jsonl"), pki.CaFile, port);
        await events.RecordAsync("alert.opened", SecuritySeverity.High, "after", null);

        await Eventually.HoldsAsync(() => Task.FromResult(Has(second, "while-down") && Has(second, "after")), "both later events reached the second collector");
        // "before" may come again if the first collector died before it was confirmed: then under the same id.
        string Id(Receiver collector, string device) => Parsed(collector).Select(m => m.Message.StructuredData["rampart@32473"])
            .First(sd => sd.GetValueOrDefault("device") == device)["id"];
        var devices = Parsed(second).Select(m => m.Message.StructuredData["rampart@32473"].GetValueOrDefault("device")).Where(d => d is not null).Distinct().ToList();
        Assert.Equal(["while-down", "after"], devices.Where(d => d != "before"));
        Assert.True(!devices.Contains("before") || Id(second, "before") == Id(first, "before"), "a repeated record keeps its id");
    }

    [Fact]
    public async Task A_collector_whose_certificate_is_not_from_the_configured_ca_gets_nothing_and_the_status_says_why()
    {
        var pki = ExportPki.Create(_temp.Sub("pki"));
        var other = ExportPki.Create(_temp.Sub("other"));
        using var collector = await Receiver.SyslogAsync(pki, _temp.Sub("syslog.jsonl"));
        await using var node = await TestNode.StartAsync(_temp.Sub("data"), Settings(pki, collector.Port, caFile: other.CaFile));
        var export = node.Node.Services.GetRequiredService<ExportService>();

        await node.Node.Services.GetRequiredService<SecurityEvents>().RecordAsync("alert.opened", SecuritySeverity.High, "sensor-7", null);
        await Eventually.HoldsAsync(async () => (await export.StatusAsync(CancellationToken.None)).Single().FailedAttempts >= 2, "delivery failed twice");

        var status = (await export.StatusAsync(CancellationToken.None)).Single();
        Assert.Equal("syslog:collector", status.Destination);
        Assert.Contains("TLS handshake failed", status.LastError, StringComparison.Ordinal);
        Assert.True(status.Queued > 0);
        Assert.Equal(0, status.Delivered);
        Assert.Empty(collector.Received());
    }
}
