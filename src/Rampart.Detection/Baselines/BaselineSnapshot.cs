namespace Rampart.Detection.Baselines;

/// <summary>
/// The bytes a device's learned baselines are saved as (docs/detection.md, "Baselines after a restart"):
/// a version byte, the metric count, then the own baseline and the drift reference, each a sample count
/// and mean, variance and 95th percentile per metric as little-endian floats — 418 bytes for 17 metrics.
/// The recent level and the history come back from the stored windows; novelty sets and the cohorts
/// are learned again.
/// </summary>
public static class BaselineSnapshot
{
    private const byte Version = 1;
    private const int Header = 2;

    /// <summary>Bytes of one snapshot with this build's metrics.</summary>
    public static int Bytes => Header + (2 * MetricBaseline.StateBytes);

    /// <summary>The profile's own baseline and reference, packed.</summary>
    public static byte[] Of(DeviceProfile profile)
    {
        var bytes = new byte[Bytes];
        bytes[0] = Version;
        bytes[1] = (byte)Metrics.BehaviourMetrics.Count;
        profile.Own.WriteTo(bytes.AsSpan(Header));
        profile.Reference.WriteTo(bytes.AsSpan(Header + MetricBaseline.StateBytes));
        return bytes;
    }

    /// <summary>
    /// Puts a snapshot back into the profile; false (and the profile untouched) when the bytes are not a
    /// snapshot this build reads: another version, a size that does not match its metric count, a value out of range.
    /// </summary>
    public static bool Restore(DeviceProfile profile, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Header || bytes[0] != Version || bytes[1] == 0)
        {
            return false;
        }

        var stateBytes = sizeof(int) + (bytes[1] * 3 * sizeof(float));
        if (bytes.Length != Header + (2 * stateBytes))
        {
            return false;
        }

        // Both or neither: read into scratch baselines first, so a damaged reference does not leave a restored own baseline beside an empty one.
        var own = new MetricBaseline(profile.Own.Span);
        var reference = new MetricBaseline(profile.Reference.Span);
        if (!own.ReadFrom(bytes[Header..], bytes[1]) || !reference.ReadFrom(bytes[(Header + stateBytes)..], bytes[1]))
        {
            return false;
        }

        profile.Own.CopyFrom(own);
        profile.Reference.CopyFrom(reference);
        return true;
    }
}
