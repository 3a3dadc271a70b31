using Rampart.Detection.Export;

namespace Rampart.Detection.Tests.Export;

public sealed class BackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(5, 16)]
    [InlineData(9, 256)]
    [InlineData(10, 300)]
    [InlineData(1000, 300)]
    public void The_wait_doubles_per_failure_up_to_the_maximum_with_at_most_half_of_it_random(int failures, double ceilingSeconds)
    {
        var least = Backoff.After(failures, Initial, Max, 0.0);
        var most = Backoff.After(failures, Initial, Max, 0.999999);

        Assert.Equal(ceilingSeconds / 2, least.TotalSeconds, 3);
        Assert.Equal(ceilingSeconds, most.TotalSeconds, 3);
    }
}
