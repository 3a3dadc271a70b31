using System.Text;
using System.Text.Json;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Operators;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Server.Tests.Gateway;

namespace Rampart.Server.Tests.Privacy;

/// <summary>What a node holds about a subject at rest, and the subject's requests, through the CLI as an operator runs it.</summary>
public sealed class PrivacyRequestTests : IAsyncLifetime
{
    private const string Subject = "erika.mustermann@example.de";
    private const string Name = "Erika Mustermann";
    private const string Address = "Heidestrasse 17, 51147 Koeln";
    private const string Ip = "203.0.113.77";
    private GatewayNode _node = null!;

    public async Task InitializeAsync() => _node = await GatewayNode.StartAsync(PrivacyNode.Settings());

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private string Data => _node.Node.Node.DataDirectory;

    private async Task<string> CliAsync(params string[] arguments)
    {
        var (code, output) = await RampartCli.RunAsync([.. arguments, "--data", Data]);
        Assert.True(code == 0, $"rampart {string.Join(' ', arguments)}: {output}");
        return output;
    }

    [Fact]
    public async Task A_subject_s_name_address_ip_and_id_are_nowhere_in_the_raw_database_files_wal_included_and_the_export_has_them_all()
    {
        var device = await _node.EnrollDeviceAsync("thermo-grep");
        await CliAsync("privacy", "subject", "add", Subject, "--region", "eu", "--field", $"name={Name}", "--field", $"address={Address}", "--field", $"ip={Ip}");
        await CliAsync("privacy", "subject", "link", Subject, "--device", device.Id);
        await _node.Get<Rampart.Privacy.Subjects.SubjectService>().SetConsentAsync(Subject, "analytics", true, "test", CancellationToken.None);
        await using (var client = await PrivacyNode.ConnectedDeviceAsync(_node, device))
        {
            await _node.EventAsync("gateway.connected", e => e.DeviceId == device.Id);
        }

        var files = Directory.EnumerateFiles(Data).Where(f => Path.GetFileName(f).StartsWith("rampart.db", StringComparison.Ordinal)).ToArray();
        Assert.Contains(files, f => f.EndsWith("-wal", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var bytes = await ReadSharedAsync(file);
            foreach (var secret in new[] { Subject, Name, Address, Ip, "Mustermann", "Heidestrasse" })
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"{secret} in {Path.GetFileName(file)} (UTF-8)");
                Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(secret)) < 0, $"{secret} in {Path.GetFileName(file)} (UTF-16)");
            }
        }

        var exportPath = Path.Combine(Data, "..", "export.json");
        await CliAsync("privacy", "export", "--subject", Subject, "--out", exportPath);
        var export = JsonDocument.Parse(await File.ReadAllBytesAsync(exportPath)).RootElement;
        var subject = export.GetProperty("subject");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(exportPath));
        Assert.Equal((Subject, Name, Address, Ip), (subject.GetProperty("id").GetString(), subject.GetProperty("fields").GetProperty("name").GetString(),
            subject.GetProperty("fields").GetProperty("address").GetString(), subject.GetProperty("fields").GetProperty("ip").GetString()));
        Assert.Equal([device.Id], subject.GetProperty("devices").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal("analytics", subject.GetProperty("consents")[0].GetProperty("purpose").GetString());
        Assert.Contains(export.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "gateway.connected" && e.GetProperty("deviceId").GetString() == device.Id);

        var inventory = await CliAsync("privacy", "inventory");
        Assert.Contains("security_events.source", inventory, StringComparison.Ordinal);
        Assert.Contains("privacy_subjects.sealed (encrypted)", inventory, StringComparison.Ordinal);
        Assert.Contains("location", inventory, StringComparison.Ordinal);
        var json = JsonDocument.Parse(await CliAsync("privacy", "inventory", "--json")).RootElement;
        Assert.Equal(1, json.GetProperty("subjects").GetInt32());
        Assert.Empty(json.GetProperty("unclassified").EnumerateArray());
    }

    [Fact]
    public async Task Erasure_needs_a_second_person_then_nothing_decrypts_the_export_is_empty_and_the_audit_chain_verifies()
    {
        var device = await _node.EnrollDeviceAsync("thermo-erase");
        await _node.Get<Rampart.Privacy.Subjects.SubjectService>().AddAsync("leaving-tenant", "eu", new Dictionary<string, string> { ["name"] = Name }, "test", CancellationToken.None);
        await _node.Get<Rampart.Privacy.Subjects.SubjectService>().LinkDeviceAsync("leaving-tenant", device.Id, "test", CancellationToken.None);
        var pseudonym = _node.Get<Rampart.Privacy.Subjects.SubjectService>().PseudonymOf("leaving-tenant");
        var requested = await CliAsync("privacy", "erase", "--subject", "leaving-tenant");
        var id = long.Parse(System.Text.RegularExpressions.Regex.Match(requested, @"approval (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        var (self, selfOutput) = await RampartCli.RunAsync("approvals", "approve", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data", Data);
        Assert.NotEqual(0, self);
        Assert.Contains("second person", selfOutput, StringComparison.Ordinal);
        Assert.NotNull(await _node.Get<Rampart.Privacy.Subjects.ISubjectStore>().GetKeyAsync(pseudonym, CancellationToken.None));

        var carol = new OperatorIdentity("carol", OperatorRole.PrivacyOfficer.Name, OperatorRole.PrivacyOfficer.Permissions, [], []);
        var approved = await _node.Get<ApprovalService>().ApproveAsync(id, carol, CancellationToken.None);
        Assert.Equal(ApprovalStatus.Executed, approved.Status);

        Assert.Null(await _node.Get<Rampart.Privacy.Subjects.ISubjectStore>().GetKeyAsync(pseudonym, CancellationToken.None));
        Assert.Null(await _node.Get<Rampart.Privacy.Subjects.ISubjectStore>().GetAsync(pseudonym, CancellationToken.None));
        var exportPath = Path.Combine(Data, "..", "erased.json");
        Assert.Contains("nothing is held", await CliAsync("privacy", "export", "--subject", "leaving-tenant", "--out", exportPath), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(await File.ReadAllBytesAsync(exportPath)).RootElement.GetProperty("subject").ValueKind);
        var audit = await _node.Get<Rampart.Fleet.Audit.IAuditStore>().ReadEntriesAsync(1, CancellationToken.None).ToListAsync();
        Assert.Contains(audit, e => e.Action == "privacy.subject-erased" && e.Target == "subject/" + pseudonym && e.Actor == "carol");
        var verified = await CliAsync("audit", "verify");
        Assert.True(verified.Contains("audit log intact", StringComparison.Ordinal), verified);
    }

    [Fact]
    public async Task A_kek_rotation_while_a_device_streams_keeps_every_subject_readable_and_destroys_the_old_kek()
    {
        var device = await _node.EnrollDeviceAsync("thermo-rotate");
        for (var i = 0; i < 20; i++)
        {
            await _node.Get<Rampart.Privacy.Subjects.SubjectService>().AddAsync($"resident-{i}", "eu", new Dictionary<string, string> { ["name"] = $"Resident {i}" }, "test", CancellationToken.None);
        }

        await _node.Get<Rampart.Privacy.Subjects.SubjectService>().LinkDeviceAsync("resident-0", device.Id, "test", CancellationToken.None);
        await using var support = await PrivacyNode.SubscribedServiceAsync(_node, "support");
        await using var client = await PrivacyNode.ConnectedDeviceAsync(_node, device);
        var topic = $"devices/{device.Id}/telemetry/temp";
        using var stop = new CancellationTokenSource();
        var sent = 0;
        var streaming = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await PrivacyNode.PublishAsync(client, topic, (sent++).ToString(System.Globalization.CultureInfo.InvariantCulture));
                await Task.Delay(10);
            }
        });

        Assert.Equal("0", await PrivacyNode.NextPayloadAsync(support, topic));
        Assert.Contains("20 subject keys re-wrapped", await CliAsync("privacy", "kek", "rotate"), StringComparison.Ordinal);
        var afterRotation = Volatile.Read(ref sent);
        // Read on through what was queued during the rotation until a reading sent after it arrives.
        while (int.Parse(await PrivacyNode.NextPayloadAsync(support, topic), System.Globalization.CultureInfo.InvariantCulture) <= afterRotation)
        {
        }

        await stop.CancelAsync();
        await streaming;

        var keys = Path.Combine(Data, "keys");
        Assert.False(File.Exists(Path.Combine(keys, "privacy-kek-1.key")));
        Assert.True(File.Exists(Path.Combine(keys, "privacy-kek-2.key")));
        Assert.Equal("Resident 7", (await _node.Get<Rampart.Privacy.Subjects.SubjectService>().GetAsync("resident-7", CancellationToken.None))!.Fields["name"]);
    }

    // The node holds the files open; read them as another process would, sharing them.
    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
