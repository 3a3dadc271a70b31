namespace Rampart.Detection.Tests.Detectors;

public sealed class NoveltyDetectorTests
{
    [Fact]
    public async Task A_telnet_port_appearing_on_a_device_is_reported_as_high_in_every_window_it_stays_open()
    {
        var fleet = new Fleet();
        Assert.Empty(await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(ports: [443]))));
        Assert.Empty(await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(ports: [443]))));

        var findings = await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(ports: [443, 23])));

        var finding = Assert.Single(findings);
        Assert.Equal("novelty.listening-port", finding.Detector);
        Assert.Equal(Detection.Detectors.AlertSeverity.High, finding.Severity);
        Assert.Equal("23", finding.Evidence["new-ports"]);
        Assert.Equal("23", Assert.Single(await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(ports: [443, 23])))).Evidence["new-ports"]);
    }

    [Fact]
    public async Task A_device_whose_first_report_has_a_backdoor_port_is_judged_from_that_report_but_its_ordinary_ports_are_its_normal()
    {
        var fleet = new Fleet();

        Assert.Empty(await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(ports: [443, 8080]))));
        var findings = await fleet.JudgeAsync(fleet.Normal("d2", posture: Fleet.Posture(ports: [443, 2323])));

        Assert.Equal("2323", Assert.Single(findings).Evidence["new-ports"]);
    }

    [Fact]
    public async Task A_new_ordinary_port_later_is_medium()
    {
        var fleet = new Fleet();
        await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(ports: [443])));

        var finding = Assert.Single(await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(ports: [443, 9000]))));

        Assert.Equal(Detection.Detectors.AlertSeverity.Medium, finding.Severity);
    }

    [Fact]
    public async Task A_new_source_address_is_reported_and_the_usual_one_is_not()
    {
        var fleet = new Fleet();
        for (var i = 0; i < 5; i++)
        {
            Assert.Empty(await fleet.JudgeAsync(fleet.Normal("d1")));
        }

        var finding = Assert.Single(await fleet.JudgeAsync(fleet.Normal("d1", source: "198.51.100.9")));

        Assert.Equal("novelty.source-address", finding.Detector);
        Assert.Equal("198.51.100.9", finding.Evidence["new-sources"]);
    }

    [Fact]
    public async Task A_beacon_to_a_new_destination_is_caught_and_the_known_destinations_are_not()
    {
        var fleet = new Fleet();
        string[] usual = ["203.0.113.10:443", "203.0.113.11:123"];
        for (var i = 0; i < 5; i++)
        {
            Assert.Empty(await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(destinations: usual))));
        }

        var finding = Assert.Single(await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(destinations: [.. usual, "192.0.2.66:8443"]))));

        Assert.Equal("novelty.destination", finding.Detector);
        Assert.Equal("192.0.2.66:8443", finding.Evidence["new-destinations"]);
    }
}
