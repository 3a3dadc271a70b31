using System.Globalization;
using System.Text.Json;
using Rampart.Fleet.Audit;
using Rampart.Privacy.Subjects;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Privacy;

/// <summary>Privacy on the delivery path of a real node: real mutual TLS, real MQTT clients (mosquitto_sub, the probe client), the CLI as an operator runs it.</summary>
public sealed class PrivacyDeliveryTests : IAsyncLifetime
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1.5);
    private GatewayNode _node = null!;

    public async Task InitializeAsync() => _node = await GatewayNode.StartAsync(PrivacyNode.Settings());

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private string Data => _node.Node.Node.DataDirectory;

    private string[] Tls(EnrolledIdentity identity, string clientId) =>
        ["-h", "127.0.0.1", "-p", _node.Mqtt.Port.ToString(CultureInfo.InvariantCulture), "--cafile", _node.RootPemPath,
         "--cert", identity.CertificatePath, "--key", identity.KeyPath, "-i", clientId];

    [Fact]
    public async Task Mosquitto_as_a_service_receives_location_minimised_by_its_rules_and_pseudonyms_differ_per_service_and_stay_stable()
    {
        var tracker = await _node.EnrollDeviceAsync("tracker-1");
        var analytics = await _node.ServiceAsync("analytics");
        using var subscriber = RunningProcess.Start("mosquitto_sub", [.. Tls(analytics, "analytics-m"), "-V", "mqttv5", "-t", "devices/+/telemetry/location/#", "-C", "2", "-v", "-W", "50"]);
        await using var support = await PrivacyNode.SubscribedServiceAsync(_node, "support");
        await using var device = await PrivacyNode.ConnectedDeviceAsync(_node, tracker);
        const string topic = "devices/tracker-1/telemetry/location/gps";
        const string payload = """{"owner":"Erika Mustermann","lat":52.520008,"lon":13.404954,"serial":"SN-778899"}""";

        // QoS 0 reaches only a live subscription: publish until mosquitto_sub has subscribed and printed one.
        await Eventually.HoldsAsync(async () =>
        {
            await PrivacyNode.PublishAsync(device, topic, payload);
            await Task.Delay(100);
            return subscriber.Output.Contains(topic, StringComparison.Ordinal);
        }, "mosquitto_sub receives the tracker's location");
        await PrivacyNode.PublishAsync(device, topic, payload);
        Assert.Equal(0, await subscriber.WaitForExitAsync(RampartCli.Patience));

        var received = subscriber.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line[(topic.Length + 1)..]).RootElement).ToArray();
        var atSupport = JsonDocument.Parse(await PrivacyNode.NextPayloadAsync(support, topic)).RootElement;
        Assert.Equal(2, received.Length);
        Assert.DoesNotContain("Erika", subscriber.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("SN-778899", subscriber.Output, StringComparison.Ordinal);
        Assert.Equal((52.52, 13.404954), (received[0].GetProperty("lat").GetDouble(), received[0].GetProperty("lon").GetDouble()));
        Assert.Equal(received[0].GetProperty("serial").GetString(), received[1].GetProperty("serial").GetString());
        Assert.Equal("Erika Mustermann", atSupport.GetProperty("owner").GetString());
        Assert.NotEqual(received[0].GetProperty("serial").GetString(), atSupport.GetProperty("serial").GetString());
        Assert.DoesNotContain("SN-778899", atSupport.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Withdrawing_consent_stops_delivery_to_a_subscribed_service_at_the_next_message_and_is_audited()
    {
        var thermostat = await _node.EnrollDeviceAsync("thermo-consent");
        var subjects = _node.Get<SubjectService>();
        await subjects.AddAsync("household-7", "eu", null, "test", CancellationToken.None);
        await subjects.LinkDeviceAsync("household-7", thermostat.Id, "test", CancellationToken.None);
        await subjects.SetConsentAsync("household-7", "analytics", true, "test", CancellationToken.None);
        await using var analytics = await PrivacyNode.SubscribedServiceAsync(_node, "analytics");
        await using var support = await PrivacyNode.SubscribedServiceAsync(_node, "support");
        await using var device = await PrivacyNode.ConnectedDeviceAsync(_node, thermostat);
        var topic = $"devices/{thermostat.Id}/telemetry/temp";

        await PrivacyNode.PublishAsync(device, topic, "20.5");
        Assert.Equal("20.5", await PrivacyNode.NextPayloadAsync(analytics, topic));
        Assert.Equal("20.5", await PrivacyNode.NextPayloadAsync(support, topic));

        var (withdrawn, withdrawOutput) = await RampartCli.RunAsync("privacy", "consent", "withdraw", "--subject", "household-7", "--purpose", "analytics", "--data", Data);
        Assert.True(withdrawn == 0, withdrawOutput);
        await PrivacyNode.PublishAsync(device, topic, "21.0");

        // Support's basis is its contract, not consent: it still gets the reading, which proves the message went out.
        Assert.Equal("21.0", await PrivacyNode.NextPayloadAsync(support, topic));
        Assert.True(await analytics.NothingWithinAsync(Quiet), "analytics received a reading after consent was withdrawn");
        var pseudonym = _node.Get<SubjectService>().PseudonymOf("household-7");
        var refused = await _node.EventAsync("privacy.consent-refused", e => e.Details["subject"] == pseudonym);
        Assert.Equal(("service:analytics", thermostat.Id), (refused.Details["service"], refused.DeviceId));
        await Eventually.HoldsAsync(async () => (await AuditAsync()).Any(e => e.Action == "privacy.consent-withdrawn" && e.Target == "subject/" + pseudonym), "the withdrawal is audited");
        Assert.DoesNotContain(await AuditAsync(), e => $"{e.Target} {e.Details}".Contains("household-7", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Personal_data_of_an_eu_subject_never_reaches_a_service_certificate_in_the_us_and_the_refusal_is_a_security_event()
    {
        var meter = await _node.EnrollDeviceAsync("meter-berlin");
        var subjects = _node.Get<SubjectService>();
        var pseudonym = await subjects.AddAsync("tenant-3", "eu", null, "test", CancellationToken.None);
        await subjects.LinkDeviceAsync("tenant-3", meter.Id, "test", CancellationToken.None);
        await using var ohio = await PrivacyNode.SubscribedServiceAsync(_node, "ohio");
        await using var support = await PrivacyNode.SubscribedServiceAsync(_node, "support");
        await using var device = await PrivacyNode.ConnectedDeviceAsync(_node, meter);
        var topic = $"devices/{meter.Id}/telemetry/power";

        await PrivacyNode.PublishAsync(device, topic, "1200");

        Assert.Equal("1200", await PrivacyNode.NextPayloadAsync(support, topic));
        Assert.True(await ohio.NothingWithinAsync(Quiet), "the us service received an eu subject's personal data");
        var refused = await _node.EventAsync("privacy.cross-border-refused", e => e.Details["subject"] == pseudonym);
        Assert.Equal(("service:ohio", "eu", "us", meter.Id), (refused.Details["service"], refused.Details["subject-region"], refused.Details["service-region"], refused.DeviceId));
    }

    private async Task<List<AuditEntry>> AuditAsync() => await _node.Get<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None).ToListAsync();
}
