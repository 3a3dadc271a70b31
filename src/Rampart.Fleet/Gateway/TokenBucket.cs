namespace Rampart.Fleet.Gateway;

/// <summary>
/// A token bucket: <see cref="Capacity"/> tokens, refilled at <see cref="RatePerSecond"/>. Used
/// from one connection's loop at a time, so it takes no lock.
/// </summary>
public sealed class TokenBucket(double ratePerSecond, double capacity, TimeProvider time)
{
    private double _tokens = capacity;
    private long _refilledAt = time.GetTimestamp();

    public double RatePerSecond { get; } = ratePerSecond;

    public double Capacity { get; } = capacity;

    /// <summary>Takes <paramref name="amount"/> tokens if there are that many; false (and takes none) otherwise.</summary>
    public bool TryTake(double amount)
    {
        if (!Has(amount))
        {
            return false;
        }

        Take(amount);
        return true;
    }

    /// <summary>True when <paramref name="amount"/> tokens are there now (after refilling); takes none.</summary>
    public bool Has(double amount)
    {
        var now = time.GetTimestamp();
        _tokens = Math.Min(Capacity, _tokens + (time.GetElapsedTime(_refilledAt, now).TotalSeconds * RatePerSecond));
        _refilledAt = now;
        return _tokens >= amount;
    }

    /// <summary>Takes <paramref name="amount"/> tokens that <see cref="Has"/> just found.</summary>
    public void Take(double amount) => _tokens -= amount;
}
