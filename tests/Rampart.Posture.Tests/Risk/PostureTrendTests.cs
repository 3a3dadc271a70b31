using Rampart.Posture.Risk;

namespace Rampart.Posture.Tests.Risk;

public sealed class PostureTrendTests
{
    private static PostureSnapshot At(DateTimeOffset at, double risk, double etsi, int findings) =>
        new(at, 10, risk, new Dictionary<string, int>(), new Dictionary<string, double> { ["etsi-en-303-645"] = etsi }, findings);

    [Fact]
    public void A_trend_keeps_each_days_last_snapshot_oldest_first_and_shows_the_change_from_the_first_day_to_the_last()
    {
        var day = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var trend = PostureTrend.Of(day, [At(day.AddHours(1), 50, 0.5, 9), At(day.AddHours(20), 40, 0.6, 7), At(day.AddDays(1).AddHours(3), 45, 0.55, 8), At(day.AddDays(3), 30, 0.8, 3)]);

        Assert.Equal([40, 45, 30], trend.Days.Select(d => d.MeanRisk));
        Assert.NotNull(trend.Change);
        Assert.Equal((-10, -4, 20.0), (trend.Change.MeanRisk, trend.Change.Findings, trend.Change.CompliancePoints["etsi-en-303-645"]));
        Assert.Equal("mean risk -10, findings -4, etsi-en-303-645 +20 pt", trend.Change.ToString());
    }

    [Fact]
    public void A_single_day_has_no_change_to_show()
    {
        var day = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Null(PostureTrend.Of(day, [At(day, 50, 0.5, 9), At(day.AddHours(2), 40, 0.5, 9)]).Change);
        Assert.Null(PostureTrend.Of(day, []).Change);
    }
}
