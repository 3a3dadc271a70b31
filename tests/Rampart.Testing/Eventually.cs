namespace Rampart.Testing;

/// <summary>
/// Waits for a condition instead of sleeping a fixed time: the test is as fast as the machine allows
/// and still passes on a loaded one. The deadline is generous on purpose; it only bounds a failure.
/// </summary>
public static class Eventually
{
    /// <summary>How long a condition may take before the test fails.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> at the deadline.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? patience = null)
    {
        var deadline = DateTimeOffset.UtcNow + (patience ?? Patience);
        var pause = TimeSpan.FromMilliseconds(20);
        while (!await condition())
        {
            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new TimeoutException($"{what} did not hold within {(patience ?? Patience).TotalSeconds:0} s");
            }

            await Task.Delay(pause);
            pause = TimeSpan.FromMilliseconds(Math.Min(500, pause.TotalMilliseconds * 2));
        }
    }
}
