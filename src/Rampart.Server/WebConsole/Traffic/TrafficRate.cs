using Rampart.Server.Gateway;

namespace Rampart.Server.WebConsole.Traffic;

/// <summary>
/// Messages per second into the gateway, from the connected clients' counters sampled at each look
/// at the overview (no background work): the rate over the interval since the previous look.
/// </summary>
public sealed class TrafficRate(MqttGateway gateway, TimeProvider time)
{
    private readonly Lock _lock = new();
    private (long Messages, long Timestamp)? _last;

    /// <summary>The rate since the previous call, or null on the first (or within a second of it).</summary>
    public double? Sample()
    {
        var messages = 0L;
        foreach (var clientId in gateway.Clients.Keys)
        {
            messages += gateway.Traffic.Find("device:" + clientId)?.MessagesIn ?? 0;
        }

        var now = time.GetTimestamp();
        lock (_lock)
        {
            var previous = _last;
            if (previous is { } p && time.GetElapsedTime(p.Timestamp, now) < TimeSpan.FromSeconds(1))
            {
                return null;
            }

            _last = (messages, now);
            return previous is { } before ? Math.Max(0, messages - before.Messages) / time.GetElapsedTime(before.Timestamp, now).TotalSeconds : null;
        }
    }
}
