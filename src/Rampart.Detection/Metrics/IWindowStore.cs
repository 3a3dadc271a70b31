namespace Rampart.Detection.Metrics;

/// <summary>
/// Closed behaviour windows, persisted compactly (issue 14, item 1): per device and window its start,
/// end and the metric values as one blob of little-endian floats (<see cref="StoredWindow.Pack"/>,
/// 4 bytes a metric), kept for <see cref="DetectionOptions.WindowRetention"/>. Telemetry, not a state
/// change: written outside the audit log, one transaction per window pass.
/// </summary>
public interface IWindowStore
{
    /// <summary>Stores a pass's windows in one transaction (a window already stored is left as it is).</summary>
    Task AppendAsync(IReadOnlyList<StoredWindow> windows, CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="perDevice"/> windows of each device that ended after <paramref name="since"/>, oldest first.</summary>
    Task<IReadOnlyList<StoredWindow>> RecentAsync(DateTimeOffset since, int perDevice, CancellationToken cancellationToken);

    /// <summary>Deletes windows that ended before <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> DeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}

/// <summary>One stored window: the values in <see cref="BehaviourMetric"/> order.</summary>
public sealed record StoredWindow(string DeviceId, DateTimeOffset Start, DateTimeOffset End, float[] Values)
{
    /// <summary>The window as stored.</summary>
    public static StoredWindow Of(BehaviourWindow window) => new(window.DeviceId, window.Start, window.End, window.Values.ToArray());

    /// <summary>The values as the stored blob: 4 bytes a metric, little-endian (68 bytes for 17 metrics).</summary>
    public byte[] Pack()
    {
        var bytes = new byte[Values.Length * sizeof(float)];
        for (var i = 0; i < Values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), Values[i]);
        }

        return bytes;
    }

    /// <summary>Reads a blob back; metrics a newer build added read as 0, ones an older build did not know are ignored.</summary>
    public static float[] Unpack(ReadOnlySpan<byte> bytes)
    {
        var values = new float[BehaviourMetrics.Count];
        for (var i = 0; i < Math.Min(values.Length, bytes.Length / sizeof(float)); i++)
        {
            values[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        }

        return values;
    }

    /// <summary>The window again, for the engine's history.</summary>
    public BehaviourWindow ToWindow()
    {
        var window = new BehaviourWindow(DeviceId, Start, End) { Active = true };
        for (var i = 0; i < Values.Length && i < BehaviourMetrics.Count; i++)
        {
            window[(BehaviourMetric)i] = Values[i];
        }

        return window;
    }
}
