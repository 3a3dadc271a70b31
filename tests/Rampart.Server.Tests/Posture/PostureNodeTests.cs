using System.Globalization;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Posture.Baselines;
using Rampart.Posture.Procurement;
using Rampart.Posture.Zones;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Posture;

/// <summary>
/// Fleet posture on a running node (issue 18): the procurement gate in front of EST enrollment, and
/// automatic confinement when support ends (manual clock) with its effect on MQTT permissions over real
/// mutual TLS, driven with mosquitto clients.
/// </summary>
public sealed class PostureNodeTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private GatewayNode _node = null!;

    public async Task InitializeAsync() => _node = await GatewayNode.StartAsync(new Dictionary<string, string?>
    {
        ["Rampart:Posture:Audit:Poll"] = "00:00:00.100",
        ["Rampart:Posture:Zones:CheckInterval"] = "00:01:00",
    }, _clock);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private string[] Tls(EnrolledIdentity identity) =>
        ["-h", "127.0.0.1", "-p", _node.Mqtt.Port.ToString(CultureInfo.InvariantCulture), "--cafile", _node.RootPemPath,
         "--cert", identity.CertificatePath, "--key", identity.KeyPath, "-i", identity.Id, "-V", "mqttv5"];

    [Fact]
    public async Task A_device_of_a_model_the_procurement_gate_refused_cannot_enroll_and_is_told_why()
    {
        var registry = _node.Get<ModelRegistry>();
        var refused = await registry.AddAsync(await File.ReadAllBytesAsync(TestFiles.PathOf("posture/default-password.json")), "test", CancellationToken.None);
        await registry.AddAsync(await File.ReadAllBytesAsync(TestFiles.PathOf("posture/good-camera.yaml")), "test", CancellationToken.None);
        Assert.False(refused.Admission.Admitted);

        var (_, token) = await _node.Get<InventoryService>().AddAsync(new NewDevice("plug-9", Model: "Plug-1", Vendor: "Cheapo"), "test", CancellationToken.None);
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var result = await _node.Get<EnrollmentService>().EnrollAsync(EstOperation.Enroll, new EstCredentials("plug-9", token.Token, null, "127.0.0.1"), FleetHarness.Csr(key), CancellationToken.None);

        Assert.NotNull(result.Refusal);
        Assert.Equal((EnrollmentRefusalKind.Forbidden, ProcurementEnrollmentPolicy.RefusedCode), (result.Refusal.Kind, result.Refusal.Code));
        Assert.Contains("etsi-en-303-645 5.1-1", result.Refusal.Message, StringComparison.Ordinal);
        Assert.Equal(DeviceState.Registered, (await _node.Get<InventoryService>().GetAsync("plug-9", CancellationToken.None)).State);

        // A device of the admitted model enrolls, and its baseline judges it from Rampart's own evidence.
        var (_, camToken) = await _node.Get<InventoryService>().AddAsync(new NewDevice("cam-1", Model: "Cam-2", Vendor: "Acme"), "test", CancellationToken.None);
        using var camKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var admitted = await _node.Get<EnrollmentService>().EnrollAsync(EstOperation.Enroll, new EstCredentials("cam-1", camToken.Token, null, "127.0.0.1"), FleetHarness.Csr(camKey), CancellationToken.None);
        Assert.Null(admitted.Refusal);
        var baseline = await _node.Get<BaselineService>().DeviceAsync("cam-1", "etsi-en-303-645", CancellationToken.None);
        var identity = baseline.Results.Single(r => r.Id == "5.1-2");
        Assert.Equal((Verdict.Pass, EvidenceSource.Rampart), (identity.Verdict, identity.Source));
    }

    [Fact]
    public async Task A_device_whose_support_ends_is_confined_automatically_and_over_mtls_may_then_only_send_telemetry_until_released()
    {
        var today = DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime);
        var device = await _node.EnrollDeviceAsync("meter-1", supportUntil: today.AddDays(1));
        var confinement = _node.Get<ConfinementService>();

        var (_, beforeOutput) = await RunningProcess.RunAsync("mosquitto_sub", [.. Tls(device), "-t", $"devices/{device.Id}/config", "-C", "1", "-W", "2"], Patience);
        Assert.DoesNotContain("denied", beforeOutput, StringComparison.Ordinal);

        _clock.Advance(TimeSpan.FromDays(2));
        await Eventually.HoldsAsync(async () => (await confinement.ListAsync(CancellationToken.None)).Any(c => c.DeviceId == device.Id && c.Active),
            "the unsupported device is confined");
        var confined = (await confinement.ListAsync(CancellationToken.None)).Single(c => c.DeviceId == device.Id);
        Assert.Equal(ConfinementService.Actor, confined.By);
        Assert.Contains("support ended", confined.Reason, StringComparison.Ordinal);

        var (telemetry, telemetryOutput) = await RunningProcess.RunAsync("mosquitto_pub", [.. Tls(device), "-q", "1", "-t", $"devices/{device.Id}/telemetry/kwh", "-m", "7"], Patience);
        Assert.True(telemetry == 0, telemetryOutput);
        var (_, configOutput) = await RunningProcess.RunAsync("mosquitto_sub", [.. Tls(device), "-t", $"devices/{device.Id}/config", "-C", "1", "-W", "5"], Patience);
        Assert.Contains("All subscription requests were denied", configOutput, StringComparison.Ordinal);
        var (events, eventsOutput) = await RunningProcess.RunAsync("mosquitto_pub", [.. Tls(device), "-q", "1", "-t", $"devices/{device.Id}/events/boot", "-m", "x"], Patience);
        Assert.True(events != 0 || eventsOutput.Contains("not authorized", StringComparison.OrdinalIgnoreCase), $"events publish was accepted: {eventsOutput}");

        // The operator's release undoes it, and automatic confinement leaves the device alone afterwards.
        await confinement.ReleaseAsync(device.Id, "vendor extended support", "alice", CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(2));
        var (_, afterOutput) = await RunningProcess.RunAsync("mosquitto_sub", [.. Tls(device), "-t", $"devices/{device.Id}/config", "-C", "1", "-W", "2"], Patience);
        Assert.DoesNotContain("denied", afterOutput, StringComparison.Ordinal);
        Assert.False((await confinement.ListAsync(CancellationToken.None)).Single(c => c.DeviceId == device.Id).Active);
    }

    [Fact]
    public async Task The_cli_writes_the_posture_report_as_pdf_and_html_and_prints_the_trend_after_an_audit_run()
    {
        await _node.EnrollDeviceAsync("cam-7");
        var data = _node.Node.Node.DataDirectory;
        using var temp = new TempDirectory();
        var (auditExit, auditOutput) = await EndToEnd.RampartCli.RunAsync("audit-fleet", "run", "--data", data);
        Assert.True(auditExit is 0 or 1, auditOutput);

        var pdf = temp.Sub("posture.pdf");
        var (pdfExit, pdfOutput) = await EndToEnd.RampartCli.RunAsync("report", "posture", "--format", "pdf", "--out", pdf, "--data", data);
        Assert.True(pdfExit == 0, pdfOutput);
        var (_, text) = await RunningProcess.RunAsync("pdftotext", [pdf, "-"], Patience);
        Assert.Contains("Fleet posture report", text, StringComparison.Ordinal);
        Assert.Contains("cam-7", text, StringComparison.Ordinal);
        Assert.Contains("Devices: 1", text, StringComparison.Ordinal);

        var html = temp.Sub("posture.html");
        var (htmlExit, htmlOutput) = await EndToEnd.RampartCli.RunAsync("report", "posture", "--format", "html", "--out", html, "--data", data);
        Assert.True(htmlExit == 0, htmlOutput);
        Assert.StartsWith("<!DOCTYPE html>", await File.ReadAllTextAsync(html), StringComparison.Ordinal);
        Assert.False(File.Exists(html + ".partial"));

        var (trendExit, trendOutput) = await EndToEnd.RampartCli.RunAsync("audit-fleet", "trend", "--json", "--data", data);
        Assert.True(trendExit == 0, trendOutput);
        Assert.Equal(1, System.Text.Json.JsonDocument.Parse(trendOutput).RootElement.GetProperty("days").GetArrayLength());

        var (badExit, badOutput) = await EndToEnd.RampartCli.RunAsync("report", "posture", "--format", "docx", "--out", temp.Sub("x"), "--data", data);
        Assert.NotEqual(0, badExit);
        Assert.Contains("docx", badOutput, StringComparison.Ordinal);
    }
}
