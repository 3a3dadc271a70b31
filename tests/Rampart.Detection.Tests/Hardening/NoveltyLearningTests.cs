namespace Rampart.Detection.Tests.Hardening;

/// <summary>docs/detection.md, "Novelty": a fact that raised a finding is never learned, a risky port never at all.</summary>
public sealed class NoveltyLearningTests
{
    [Fact]
    public async Task A_telnet_port_that_was_closed_after_its_alert_and_is_reopened_is_reported_again()
    {
        var fleet = new Fleet();
        await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(ports: [443])));

        Assert.Single(await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(ports: [443, 23]))));
        Assert.Empty(await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(ports: [443]))));
        var reopened = Assert.Single(await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(ports: [443, 23]))));

        Assert.Equal("23", reopened.Evidence["new-ports"]);
    }

    [Fact]
    public async Task An_ordinary_port_and_a_destination_that_raised_a_finding_are_not_learned()
    {
        var fleet = new Fleet();
        await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(ports: [443], destinations: ["203.0.113.10:443"])));
        var attack = Fleet.Posture(ports: [443, 9000], destinations: ["203.0.113.10:443", "192.0.2.66:8443"]);

        Assert.Equal(2, (await fleet.JudgeAsync(fleet.Normal("d1", posture: attack))).Count);
        var again = await fleet.JudgeAsync(fleet.Normal("d1", posture: attack));

        Assert.Equal(["novelty.destination", "novelty.listening-port"], again.Select(f => f.Detector).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_new_source_address_that_raised_a_finding_is_reported_again_next_window()
    {
        var fleet = new Fleet();
        await fleet.NormalAsync(3, "d1");

        Assert.Single(await fleet.JudgeAsync(fleet.Normal("d1", source: "198.51.100.9")));
        Assert.Equal("novelty.source-address", Assert.Single(await fleet.JudgeAsync(fleet.Normal("d1", source: "198.51.100.9"))).Detector);
    }
}
