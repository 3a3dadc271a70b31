namespace Rampart.Detection.Detectors;

/// <summary>
/// One small, composable judgement (style.md: policy is objects, not if chains). It reads one device's
/// window with its baselines and adds what it finds; it keeps no state of its own beyond the profile's
/// (so the engine can gate learning on whether anything was found).
/// </summary>
public interface IDetector
{
    /// <summary>Stable name alerts are deduplicated by: <c>baseline.bytes-in</c>, <c>novelty.listening-port</c>, …</summary>
    string Name { get; }

    /// <summary>Judges one window; adds findings to <paramref name="findings"/>.</summary>
    void Evaluate(DetectionContext context, List<Finding> findings);
}
