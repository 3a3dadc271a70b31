using Rampart.Fleet.Gateway;
namespace Rampart.Detection.Metrics;

/// <summary>
/// One device's behaviour over one window: the metric values (in <see cref="BehaviourMetric"/> order)
/// and the facts that novelty and sequence detectors read (addresses, the last posture, notable gateway events).
/// </summary>
public sealed class BehaviourWindow(string deviceId, DateTimeOffset start, DateTimeOffset end)
{
    private readonly float[] _values = new float[BehaviourMetrics.Count];

    public string DeviceId { get; } = deviceId;

    public DateTimeOffset Start { get; } = start;

    public DateTimeOffset End { get; } = end;

    /// <summary>Source addresses (hosts) the device connected from in the window.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>The last posture report of the window, if one came.</summary>
    public PostureFacts? Posture { get; init; }

    /// <summary>Gateway events of interest by kind (<c>gateway.possible-cloned-identity</c>, …), counted.</summary>
    public IReadOnlyDictionary<string, int> Events { get; init; } = new Dictionary<string, int>();

    /// <summary>Whether the device did anything at all (a silent, disconnected device's window teaches nothing).</summary>
    public bool Active { get; init; }

    public float this[BehaviourMetric metric]
    {
        get => _values[(int)metric];
        set => _values[(int)metric] = value;
    }

    /// <summary>The values in storage order.</summary>
    public ReadOnlySpan<float> Values => _values;
}
