using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Operators.Totp;
using Rampart.Privacy.Archive;
using Rampart.Privacy.Events;
using Rampart.Privacy.Subjects;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Privacy;

/// <summary>
/// The opt-in telemetry archive on a running node over real mTLS (issue 19 §4, §6, §9), and the
/// dedicated <c>privacy:admin</c> permission over the real HTTPS API with each role's tokens.
/// </summary>
public sealed class PrivacyArchiveTests : IAsyncLifetime
{
    private const string Secret = "Erika Mustermann";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private GatewayNode _node = null!;

    public async Task InitializeAsync()
    {
        var settings = PrivacyNode.Settings();
        settings["Rampart:Privacy:Archive:Families:0"] = "telemetry";
        _node = await GatewayNode.StartAsync(settings);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private string Data => _node.Node.Node.DataDirectory;

    [Fact]
    public async Task A_subject_s_telemetry_is_archived_sealed_in_its_region_s_file_only_and_query_export_and_erasure_cover_it()
    {
        var device = await _node.EnrollDeviceAsync("thermo-archive");
        var subjects = _node.Get<SubjectService>();
        await subjects.AddAsync("erika", "eu", null, "test", CancellationToken.None);
        await subjects.LinkDeviceAsync("erika", device.Id, "test", CancellationToken.None);
        var pseudonym = subjects.PseudonymOf("erika");
        var archive = _node.Get<TelemetryArchive>();
        await using (var client = await PrivacyNode.ConnectedDeviceAsync(_node, device))
        {
            for (var i = 0; i < 3; i++)
            {
                await PrivacyNode.PublishAsync(client, $"devices/{device.Id}/telemetry/temp", $$"""{"t":{{20 + i}},"by":"{{Secret}}"}""");
            }

            await PrivacyNode.PublishAsync(client, $"devices/{device.Id}/events/boot", """{"boot":1}""");
            await Eventually.HoldsAsync(() => Task.FromResult(archive.Counters.Archived == 3), "three readings archived");
        }

        Assert.Equal(new Dictionary<string, long> { ["eu"] = 3, ["us"] = 0 }, await archive.HeldAsync(CancellationToken.None));

        // The connection's source address, personal data of the household, is sealed at rest and opened for readers.
        Assert.Contains("127.0.0.1", (await _node.EventAsync("gateway.connected", e => e.DeviceId == device.Id)).Source, StringComparison.Ordinal);
        // Those are sealed with the subject's key; the ones from before the device was linked (its enrolment) with the device's own (SealedEventAddressTests).
        var atRest = (await _node.Get<Rampart.Storage.NodeStores>().SecurityEvents.ListAsync(device.Id, 100, CancellationToken.None))
            .Where(e => e.Event.Source is not null && e.Event.Kind.StartsWith("gateway.", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(atRest);
        Assert.All(atRest, e => Assert.True(SubjectSealedEventStore.IsSealed(e.Event.Source) && !e.Event.Source!.Contains("127.0.0.1", StringComparison.Ordinal), e.Event.Source));
        // The database and, while it exists, its WAL (SQLite checkpoints it away when the last connection closes, seen in CI): none holds the secret in the clear.
        var files = Directory.EnumerateFiles(Data, "archive-eu.db*").ToArray();
        Assert.Contains(files, f => f.EndsWith("archive-eu.db", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var bytes = await ReadSharedAsync(file);
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Secret)) < 0, $"{Secret} in {Path.GetFileName(file)}");
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes($"devices/{device.Id}/telemetry")) < 0, $"the topic in {Path.GetFileName(file)}");
        }

        var officer = await TokenForRoleAsync("privacy-officer");
        var query = await SendAsync(HttpMethod.Post, "api/v1/privacy/archive/query", officer, new { device = device.Id, limit = 10 });
        Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        var messages = JsonDocument.Parse(await query.Content.ReadAsStringAsync()).RootElement.GetProperty("messages");
        Assert.Equal(["""{"t":20,"by":"Erika Mustermann"}""", """{"t":21,"by":"Erika Mustermann"}""", """{"t":22,"by":"Erika Mustermann"}"""],
            messages.EnumerateArray().Select(m => m.GetProperty("payload").GetString()));
        var export = JsonDocument.Parse(await (await SendAsync(HttpMethod.Post, "api/v1/privacy/subjects/export", officer, new { subject = "erika" })).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(3, export.GetProperty("archiveHeld").GetInt64());
        Assert.Equal(3, export.GetProperty("archive").GetArrayLength());
        Assert.Equal($"devices/{device.Id}/telemetry/temp", export.GetProperty("archive")[0].GetProperty("topic").GetString());
        Assert.Contains(export.GetProperty("events").EnumerateArray(), e => e.GetProperty("source").GetString()?.Contains("127.0.0.1", StringComparison.Ordinal) == true);

        var requested = await SendAsync(HttpMethod.Post, "api/v1/privacy/subjects/erase", officer, new { subject = "erika" });
        var approval = (await requested.Content.ReadFromJsonAsync<Rampart.Server.Api.ApprovalResponse>(Json))!;
        Assert.Equal(Permissions.PrivacyAdmin, approval.Permission);
        var admin = new OperatorIdentity("root", OperatorRole.Admin.Name, OperatorRole.Admin.Permissions, [], []);
        var refused = await Assert.ThrowsAsync<FleetException>(() => _node.Get<ApprovalService>().ApproveAsync(approval.Id, admin, CancellationToken.None));
        Assert.Equal(FleetErrorKind.Forbidden, refused.Kind);
        var dora = new OperatorIdentity("dora", OperatorRole.PrivacyOfficer.Name, OperatorRole.PrivacyOfficer.Permissions, [], []);
        Assert.Equal(ApprovalStatus.Executed, (await _node.Get<ApprovalService>().ApproveAsync(approval.Id, dora, CancellationToken.None)).Status);

        Assert.Equal(0, (await archive.HeldAsync(CancellationToken.None))["eu"]);
        var sealedIds = atRest.Select(e => e.Id).ToHashSet();
        var readNow = (await _node.Get<Rampart.Fleet.Monitoring.ISecurityEventStore>().ListAsync(device.Id, 100, CancellationToken.None)).Where(e => sealedIds.Contains(e.Id)).ToArray();
        Assert.Equal(sealedIds.Count, readNow.Length);
        Assert.All(readNow, e => Assert.Equal(SubjectSealedEventStore.Erased, e.Event.Source));
        var after = JsonDocument.Parse(await (await SendAsync(HttpMethod.Post, "api/v1/privacy/subjects/export", officer, new { subject = "erika" })).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((JsonValueKind.Null, 0), (after.GetProperty("subject").ValueKind, after.GetProperty("archive").GetArrayLength()));
        var audit = await _node.Get<Rampart.Fleet.Audit.IAuditStore>().ReadEntriesAsync(1, CancellationToken.None).ToListAsync();
        Assert.Contains(audit, e => e.Action == "privacy.archive-erased" && e.Target == "subject/" + pseudonym && e.Details.Contains("\"archived-messages-deleted\":\"3\"", StringComparison.Ordinal));
        var (code, verified) = await RampartCli.RunAsync("audit", "verify", "--data", Data);
        Assert.True(code == 0 && verified.Contains("audit log intact", StringComparison.Ordinal), verified);
    }

    [Fact]
    public async Task Privacy_operations_need_privacy_admin_so_an_operator_and_an_admin_get_403_and_a_privacy_officer_succeeds()
    {
        var device = await _node.EnrollDeviceAsync("thermo-permission");
        var operatorToken = await TokenForRoleAsync("operator");
        var adminToken = await TokenForRoleAsync("admin");
        var officer = await TokenForRoleAsync("privacy-officer");
        var add = new { subject = "tenant-7", region = "eu", fields = new Dictionary<string, string> { ["name"] = "Tenant Seven" } };
        var link = new { subject = "tenant-7", device = device.Id };
        var consent = new { subject = "tenant-7", purpose = "analytics", granted = true };

        foreach (var token in new[] { operatorToken, adminToken })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, "api/v1/privacy/subjects", token, add)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, "api/v1/privacy/subjects/consents", token, consent)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, "api/v1/privacy/subjects/export", token, new { subject = "tenant-7" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, "api/v1/privacy/subjects/erase", token, new { subject = "tenant-7" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, "api/v1/privacy/archive/query", token, new { device = device.Id })).StatusCode);
        }

        Assert.Null(await _node.Get<ISubjectStore>().GetAsync(_node.Get<SubjectService>().PseudonymOf("tenant-7"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "api/v1/privacy/subjects", officer, add)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "api/v1/privacy/subjects/devices", officer, link)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "api/v1/privacy/subjects/consents", officer, consent)).StatusCode);
        var export = await SendAsync(HttpMethod.Post, "api/v1/privacy/subjects/export", officer, new { subject = "tenant-7" });
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("Tenant Seven", JsonDocument.Parse(await export.Content.ReadAsStringAsync()).RootElement.GetProperty("subject").GetProperty("fields").GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "api/v1/privacy/subjects/erase", officer, new { subject = "tenant-7" })).StatusCode);
        var badLimit = await SendAsync(HttpMethod.Post, "api/v1/privacy/archive/query", officer, new { device = device.Id, limit = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Contains("a limit between 1 and 10000", await badLimit.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var noneYet = await SendAsync(HttpMethod.Post, "api/v1/privacy/archive/query", officer, new { device = device.Id });
        Assert.Equal(HttpStatusCode.OK, noneYet.StatusCode);
        Assert.Equal(0, JsonDocument.Parse(await noneYet.Content.ReadAsStringAsync()).RootElement.GetProperty("messages").GetArrayLength());
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null)
    {
        using var client = _node.Node.HttpsClient();
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Content = body is null ? null : JsonContent.Create(body);
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task<string> TokenForRoleAsync(string role)
    {
        var users = _node.Get<UserService>();
        var name = "u-" + role + "-" + Guid.NewGuid().ToString("N")[..6];
        var invitation = await users.InviteAsync(name, role, null, null, "local-admin", CancellationToken.None);
        var activation = await users.ActivateAsync(invitation.Token, null, "tidal-orbit-quince-7-lantern", CancellationToken.None);
        if (!activation.Activated)
        {
            var code = TotpGenerator.Code(Base32.Decode(activation.TotpSecret!), TotpGenerator.StepOf(DateTimeOffset.UtcNow), System.Security.Cryptography.HashAlgorithmName.SHA1);
            await users.ConfirmAsync(invitation.Token, null, code, CancellationToken.None);
        }

        var user = await users.GetActiveAsync(name, CancellationToken.None);
        return (await _node.Get<ApiTokenService>().CreateAsync(OperatorIdentity.Of(user!), "privacy", null, TimeSpan.FromHours(1), CancellationToken.None)).Token;
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
