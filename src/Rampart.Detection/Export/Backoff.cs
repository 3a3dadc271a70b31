namespace Rampart.Detection.Export;

/// <summary>
/// Exponential backoff with "equal jitter": the n-th consecutive failure waits between half and all
/// of min(max, initial × 2^(n-1)). The jitter keeps nodes that lost the same collector at the same
/// moment from retrying in lock step; the half that is not random keeps the wait growing.
/// </summary>
public static class Backoff
{
    /// <summary>The wait after <paramref name="failures"/> consecutive failures (1 or more); <paramref name="random"/> in [0, 1).</summary>
    public static TimeSpan After(int failures, TimeSpan initial, TimeSpan max, double random)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var ceiling = TimeSpan.FromTicks((long)Math.Min(max.Ticks, initial.Ticks * Math.Pow(2, exponent)));
        return ceiling / 2 + ceiling / 2 * random;
    }
}
