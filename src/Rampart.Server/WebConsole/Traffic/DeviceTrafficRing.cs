namespace Rampart.Server.WebConsole.Traffic;

/// <summary>
/// One device's last <see cref="Minutes"/> minutes of traffic as a ring of per-minute counters, plus the
/// cumulative counters at the last sample (to turn the gateway's since-start counters into minutes).
/// The ring is allocated when the device first has traffic and released after a quiet hour, so an idle
/// device costs only the snapshot (docs/console.md, "Traffic history": about 1.3 KB with a ring, 88 B without).
/// </summary>
public sealed class DeviceTrafficRing
{
    /// <summary>Minutes kept.</summary>
    public const int Minutes = 60;

    /// <summary>Counters per minute: messages in, bytes in, messages out, bytes out, refusals.</summary>
    public const int Series = 5;

    // uint per counter (saturating): 60 × 5 × 4 B = 1,200 B. A minute above 4 GiB or 4 billion messages reads as the maximum.
    private uint[]? _slots;
    private long _newestMinute = long.MinValue;

    /// <summary>The device's cumulative counters when last sampled.</summary>
    public Counters Last { get; private set; }

    /// <summary>Records the minute <paramref name="minute"/> (minutes since the Unix epoch) from the counters now.</summary>
    public void Record(long minute, Counters now)
    {
        var delta = now - Last;
        Last = now;
        if (delta.IsZero)
        {
            // A quiet minute needs no write (minutes after the newest read as quiet); after a quiet hour the ring goes.
            if (_newestMinute == long.MinValue || minute - _newestMinute >= Minutes)
            {
                _slots = null;
                _newestMinute = long.MinValue;
            }

            return;
        }

        _slots ??= new uint[Minutes * Series];
        if (minute <= _newestMinute)
        {
            // The same minute sampled twice (a late timer): add to it.
            Add(minute, delta);
            return;
        }

        // Minutes skipped since the newest (no sample ran) are quiet: clear their slots (at most the whole ring).
        var from = _newestMinute == long.MinValue ? minute - Minutes + 1 : Math.Max(_newestMinute + 1, minute - Minutes + 1);
        for (var m = from; m <= minute; m++)
        {
            Array.Clear(_slots, Slot(m), Series);
        }

        _newestMinute = minute;
        Add(minute, delta);
    }

    /// <summary>The recorded counters of <paramref name="minute"/> (zero outside the last hour recorded).</summary>
    public Counters At(long minute)
    {
        if (_slots is null || minute > _newestMinute || minute <= _newestMinute - Minutes)
        {
            return default;
        }

        var i = Slot(minute);
        return new Counters(_slots[i], _slots[i + 1], _slots[i + 2], _slots[i + 3], _slots[i + 4]);
    }

    /// <summary>True while the ring is allocated (for the memory figure).</summary>
    public bool HasRing => _slots is not null;

    private void Add(long minute, Counters delta)
    {
        var i = Slot(minute);
        _slots![i] = Saturate(_slots[i] + delta.MessagesIn);
        _slots[i + 1] = Saturate(_slots[i + 1] + delta.BytesIn);
        _slots[i + 2] = Saturate(_slots[i + 2] + delta.MessagesOut);
        _slots[i + 3] = Saturate(_slots[i + 3] + delta.BytesOut);
        _slots[i + 4] = Saturate(_slots[i + 4] + delta.Refusals);
    }

    private static int Slot(long minute) => (int)(((minute % Minutes) + Minutes) % Minutes) * Series;

    private static uint Saturate(long value) => (uint)Math.Clamp(value, 0, uint.MaxValue);

    /// <summary>Counters of one identity (cumulative or per minute).</summary>
    public readonly record struct Counters(long MessagesIn, long BytesIn, long MessagesOut, long BytesOut, long Refusals)
    {
        public bool IsZero => MessagesIn == 0 && BytesIn == 0 && MessagesOut == 0 && BytesOut == 0 && Refusals == 0;

        // A counter never goes down; should one restart (a new process), the difference is clamped at zero.
        public static Counters operator -(Counters a, Counters b) => new(
            Math.Max(0, a.MessagesIn - b.MessagesIn), Math.Max(0, a.BytesIn - b.BytesIn), Math.Max(0, a.MessagesOut - b.MessagesOut),
            Math.Max(0, a.BytesOut - b.BytesOut), Math.Max(0, a.Refusals - b.Refusals));
    }
}
