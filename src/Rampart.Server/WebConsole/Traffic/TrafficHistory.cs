using System.Collections.Concurrent;
using Rampart.Fleet.Gateway;
using Rampart.Server.Gateway;
using Rampart.WebConsole.Fleet;

namespace Rampart.Server.WebConsole.Traffic;

/// <summary>
/// The last hour of every device's traffic, per minute, in memory (issue 22: the device page's chart). The
/// gateway counts since start per identity (<see cref="TrafficCounters"/>); once a minute
/// <see cref="Sample"/> turns each device's counters into that minute's figures in a bounded ring
/// (<see cref="DeviceTrafficRing"/>). Bounded like the counters it reads: one entry per device identity that
/// authenticated. Nothing is added to the gateway's per-packet path.
/// </summary>
public sealed class TrafficHistory(MqttGateway gateway, TimeProvider time)
{
    private const string DevicePrefix = "device:";
    private readonly ConcurrentDictionary<string, DeviceTrafficRing> _rings = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _since = time.GetUtcNow();

    /// <summary>Devices with an entry, and those of them holding a ring (for the memory figure in the bench).</summary>
    public (int Devices, int Rings) Size => (_rings.Count, _rings.Values.Count(r => r.HasRing));

    /// <summary>Records the minute in progress for every device identity (the sampler calls this once a minute).</summary>
    public void Sample()
    {
        var minute = MinuteOf(time.GetUtcNow());
        foreach (var (principal, traffic) in gateway.Traffic.All)
        {
            if (!principal.StartsWith(DevicePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var ring = _rings.GetOrAdd(principal[DevicePrefix.Length..], _ => new DeviceTrafficRing());
            lock (ring)
            {
                ring.Record(minute, Read(traffic));
            }
        }
    }

    /// <summary>
    /// The device's last hour, oldest first: the minutes the samples closed, and the minute in progress
    /// (the counters now less the last sample).
    /// </summary>
    public TrafficHour HourOf(string deviceId)
    {
        var now = time.GetUtcNow();
        var current = MinuteOf(now);
        var minutes = new TrafficMinute[DeviceTrafficRing.Minutes];
        var traffic = gateway.Traffic.Find(DevicePrefix + deviceId);
        _rings.TryGetValue(deviceId, out var ring);
        if (ring is null)
        {
            Fill(minutes, current, null, traffic);
        }
        else
        {
            lock (ring)
            {
                Fill(minutes, current, ring, traffic);
            }
        }

        return new TrafficHour(minutes, _since);
    }

    // The minutes the samples closed, and since the last sample counted into the minute in progress.
    private static void Fill(TrafficMinute[] minutes, long current, DeviceTrafficRing? ring, ClientTraffic? traffic)
    {
        var pending = traffic is null ? default : Read(traffic) - (ring?.Last ?? default);
        for (var i = 0; i < minutes.Length; i++)
        {
            var minute = current - DeviceTrafficRing.Minutes + 1 + i;
            var recorded = ring?.At(minute) ?? default;
            if (minute == current)
            {
                recorded = Sum(recorded, pending);
            }

            minutes[i] = new TrafficMinute(DateTimeOffset.FromUnixTimeSeconds(minute * 60), recorded.MessagesIn, recorded.BytesIn, recorded.MessagesOut,
                recorded.BytesOut, recorded.Refusals);
        }
    }

    private static long MinuteOf(DateTimeOffset when) => when.ToUnixTimeSeconds() / 60;

    private static DeviceTrafficRing.Counters Read(ClientTraffic traffic) =>
        new(traffic.MessagesIn, traffic.BytesIn, traffic.MessagesOut, traffic.BytesOut, traffic.AuthorizationFailures + traffic.LimitHits);

    private static DeviceTrafficRing.Counters Sum(DeviceTrafficRing.Counters a, DeviceTrafficRing.Counters b) =>
        new(a.MessagesIn + b.MessagesIn, a.BytesIn + b.BytesIn, a.MessagesOut + b.MessagesOut, a.BytesOut + b.BytesOut, a.Refusals + b.Refusals);
}
