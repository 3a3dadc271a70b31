using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace Rampart.Bench;

/// <summary>
/// The runtime's allocation ticks (one event per ~100 KB allocated, naming the type that crossed it)
/// gathered in process by type: where a bench's bytes per message go, without a profiler.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    // GC keyword, verbose level: GCAllocationTick events (id 10).
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);

    public bool Enabled { get; set; }

    /// <summary>The types that account for most sampled bytes, largest first.</summary>
    public IEnumerable<string> Top(int count) =>
        _bytes.OrderByDescending(pair => pair.Value).Take(count)
            .Select(pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Value / 1024,8} KiB  {pair.Key}"));

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!Enabled || eventData.EventId != 10 || eventData.Payload is null || eventData.PayloadNames is null)
        {
            return;
        }

        var type = eventData.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? eventData.Payload[t] as string ?? "?" : "?";
        var amount = eventData.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(eventData.Payload[a], CultureInfo.InvariantCulture) : 0;
        _bytes.AddOrUpdate(type, amount, (_, sum) => sum + amount);
    }
}
