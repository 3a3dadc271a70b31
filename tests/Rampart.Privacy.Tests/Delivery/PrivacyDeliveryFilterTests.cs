using System.Text.Json;
using Rampart.Mqtt.Broker;

namespace Rampart.Privacy.Tests.Delivery;

public sealed class PrivacyDeliveryFilterTests : IDisposable
{
    private readonly PrivacyFixture _privacy = new();

    public void Dispose() => _privacy.Dispose();

    [Fact]
    public void Telemetry_of_a_device_no_subject_owns_reaches_a_service_unchanged_when_it_has_no_rules()
    {
        Assert.Equal(DeliveryVerdict.Unchanged, _privacy.Deliver("devices/d1/telemetry/temp", "21.5", "service:support").Verdict);
        Assert.Equal(DeliveryVerdict.Unchanged, _privacy.Deliver("devices/d1/events/boot", "{}", "service:unknown").Verdict);
        Assert.Equal(DeliveryVerdict.Unchanged, _privacy.Deliver("devices/d1/commands/x", "x", "device:d1").Verdict);
    }

    [Fact]
    public void Personal_telemetry_of_an_eu_subject_is_refused_to_a_us_service_and_counted_but_operational_topics_pass()
    {
        _privacy.Subject("ps-1", "eu", ["d1"]);

        var refused = _privacy.Deliver("devices/d1/telemetry/temp", "21.5", "service:ohio");

        Assert.Equal((DeliveryVerdict.Refuse, "privacy:cross-border"), (refused.Verdict, refused.Reason));
        Assert.Equal(1, _privacy.Refusals.Refused);
        Assert.Equal(DeliveryVerdict.Unchanged, _privacy.Deliver("devices/d1/state", "{}", "service:ohio").Verdict);
        Assert.Equal(DeliveryVerdict.Unchanged, _privacy.Deliver("devices/d1/telemetry/temp", "21.5", "service:support").Verdict);
    }

    [Fact]
    public void A_region_whose_policy_allows_a_transfer_reaches_the_other_region_s_service()
    {
        _privacy.Subject("ps-jp", "jp", ["tokyo-1"]);

        Assert.Equal(DeliveryVerdict.Unchanged, _privacy.Deliver("devices/tokyo-1/telemetry/temp", "1", "service:support").Verdict);
        Assert.Equal(DeliveryVerdict.Refuse, _privacy.Deliver("devices/tokyo-1/telemetry/temp", "1", "service:ohio").Verdict);
    }

    [Fact]
    public void A_consent_based_service_gets_personal_data_only_while_the_subject_consents()
    {
        _privacy.Subject("ps-1", "eu", ["d1"]);
        Assert.Equal("privacy:no-consent", _privacy.Deliver("devices/d1/telemetry/temp", "1", "service:analytics").Reason);

        _privacy.Subject("ps-1", "eu", ["d1"], "analytics");
        Assert.Equal(DeliveryVerdict.Unchanged, _privacy.Deliver("devices/d1/telemetry/temp", "1", "service:analytics").Verdict);

        _privacy.Subject("ps-1", "eu", ["d1"]);
        Assert.Equal(DeliveryVerdict.Refuse, _privacy.Deliver("devices/d1/telemetry/temp", "1", "service:analytics").Verdict);
    }

    [Fact]
    public void A_service_with_rules_gets_the_minimised_payload_and_one_it_cannot_minimise_is_refused()
    {
        var decision = _privacy.Deliver("devices/d9/telemetry/location/gps", """{"owner":"Alice","lat":52.520008,"serial":"SN-1"}""", "service:analytics");

        Assert.Equal(DeliveryVerdict.Transform, decision.Verdict);
        var output = JsonDocument.Parse(decision.Payload).RootElement;
        Assert.Equal(["lat", "serial"], output.EnumerateObject().Select(p => p.Name));
        Assert.Equal(52.52, output.GetProperty("lat").GetDouble());
        Assert.Equal((DeliveryVerdict.Refuse, "privacy:minimisation-failed"), (_privacy.Deliver("devices/d9/telemetry/location", "plain", "service:analytics") is var bad ? (bad.Verdict, bad.Reason) : default));
    }

    [Fact]
    public void Settings_that_do_not_hold_together_are_refused_with_the_setting_named()
    {
        var unknownFamily = Assert.Throws<InvalidOperationException>(() => new PrivacyFixture(o => o.Minimise[0].Topic = "nope"));
        var unknownRegion = Assert.Throws<InvalidOperationException>(() => new PrivacyFixture(o => o.Services["analytics"].Region = "mars"));
        var unknownBasis = Assert.Throws<InvalidOperationException>(() => new PrivacyFixture(o => o.Services["support"].Purposes["support"] = "because"));
        var wildcard = Assert.Throws<InvalidOperationException>(() => new PrivacyFixture(o => o.Topics["location"].Path = "telemetry/+"));

        Assert.Contains("Rampart:Privacy:Minimise:0:Topic", unknownFamily.Message, StringComparison.Ordinal);
        Assert.Contains("Rampart:Privacy:Services:analytics:Region", unknownRegion.Message, StringComparison.Ordinal);
        Assert.Contains("legitimate-interests", unknownBasis.Message, StringComparison.Ordinal);
        Assert.Contains("without wildcards", wildcard.Message, StringComparison.Ordinal);
    }
}
