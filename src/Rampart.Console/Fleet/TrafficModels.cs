namespace Rampart.WebConsole.Fleet;

/// <summary>One minute of a device's MQTT traffic (UTC start); refusals are denied packets and limit hits.</summary>
public sealed record TrafficMinute(DateTimeOffset Start, long MessagesIn, long BytesIn, long MessagesOut, long BytesOut, long Refusals)
{
    /// <summary>No traffic in the minute.</summary>
    public bool Quiet => MessagesIn == 0 && MessagesOut == 0 && Refusals == 0;
}

/// <summary>
/// A device's last hour, oldest minute first; the last minute is the one in progress (counted up to now).
/// <see cref="Since"/> is when the node began keeping the history (earlier minutes are unknown, not quiet).
/// </summary>
public sealed record TrafficHour(IReadOnlyList<TrafficMinute> Minutes, DateTimeOffset Since)
{
    public long MessagesIn => Minutes.Sum(m => m.MessagesIn);

    public long MessagesOut => Minutes.Sum(m => m.MessagesOut);

    public long Refusals => Minutes.Sum(m => m.Refusals);
}
