using Rampart.Detection.Metrics;

namespace Rampart.Detection.Baselines;

/// <summary>
/// A baseline of every metric, learned online: per metric an exponentially weighted mean and variance
/// (West 1979, the EWMA form) and a streaming 95th percentile by stochastic approximation ("frugal"
/// quantile, Ma, Muthukrishnan and Sandler 2013), three floats each — 204 bytes for all metrics.
/// The weight of a new window is 1/n until n reaches <see cref="Span"/> (so early windows give the plain
/// mean and variance, not one biased to the first value), then a constant 1/<see cref="Span"/>: the
/// baseline follows slow, legitimate change over about that many windows and forgets older behaviour.
/// </summary>
public sealed class MetricBaseline(int span)
{
    private const int Fields = 3;
    private const float Quantile = 0.95f;
    private const float QuantileStep = 0.1f;

    private readonly float[] _state = new float[BehaviourMetrics.Count * Fields];

    /// <summary>Samples after which <see cref="Learn(BehaviourWindow, float)"/> starts refusing values far above the mean.</summary>
    public const int Settled = 10;

    /// <summary>
    /// Spreads a learned deviation is clipped to once settled (winsorising, docs/detection.md "Poisoning
    /// defences"): a window just under the alert threshold k·σ would otherwise grow σ² by about
    /// α·k² per window (×1.48 at k = 6, α = 1/60); clipped at c it grows by at most α·(c² − 1), 13 % at c = 3.
    /// </summary>
    public const float Clip = 3f;

    /// <summary>Windows (or, for a cohort, device windows) learned.</summary>
    public int Samples { get; private set; }

    /// <summary>How many samples the weight settles at.</summary>
    public int Span { get; } = span;

    /// <summary>Bytes this baseline holds (the array, its header, this object).</summary>
    public static int ApproximateBytes => (BehaviourMetrics.Count * Fields * sizeof(float)) + 24 + 32;

    public float Mean(BehaviourMetric metric) => _state[(int)metric * Fields];

    public float Deviation(BehaviourMetric metric) => MathF.Sqrt(Math.Max(0, _state[((int)metric * Fields) + 1]));

    /// <summary>The streaming estimate of the 95th percentile.</summary>
    public float P95(BehaviourMetric metric) => _state[((int)metric * Fields) + 2];

    /// <summary>Bytes <see cref="WriteTo"/> writes: the sample count and three floats a metric.</summary>
    public static int StateBytes => sizeof(int) + (BehaviourMetrics.Count * Fields * sizeof(float));

    /// <summary>Writes what this baseline learned (little-endian: samples, then mean, variance, p95 per metric) for <see cref="ReadFrom"/> after a restart.</summary>
    public void WriteTo(Span<byte> bytes)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes, Samples);
        for (var i = 0; i < _state.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes[(sizeof(int) + (i * sizeof(float)))..], _state[i]);
        }
    }

    /// <summary>
    /// Takes back what <see cref="WriteTo"/> wrote, <paramref name="metrics"/> metrics of it (an older build
    /// stored fewer: the rest stay unlearned). A value that is not finite, or a negative count or variance,
    /// leaves the baseline as it was and returns false: a damaged row must not decide what normal is.
    /// </summary>
    public bool ReadFrom(ReadOnlySpan<byte> bytes, int metrics)
    {
        var samples = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes);
        var count = Math.Min(metrics, BehaviourMetrics.Count) * Fields;
        var state = new float[count];
        for (var i = 0; i < count; i++)
        {
            state[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes[(sizeof(int) + (i * sizeof(float)))..]);
            if (!float.IsFinite(state[i]) || (i % Fields == 1 && state[i] < 0))
            {
                return false;
            }
        }

        if (samples < 0)
        {
            return false;
        }

        state.CopyTo(_state, 0);
        Samples = samples;
        return true;
    }

    /// <summary>Takes another baseline's state (a restored one).</summary>
    public void CopyFrom(MetricBaseline other)
    {
        other._state.CopyTo(_state, 0);
        Samples = other.Samples;
    }

    /// <summary>Learns one window (call only for windows that raised nothing: gated learning).</summary>
    public void Learn(BehaviourWindow window) => Learn(window, within: float.PositiveInfinity);

    /// <summary>
    /// Learns one window, each metric only if it lies within <paramref name="within"/> spreads (σ, or a
    /// tenth of the mean) above this baseline's mean once it has <see cref="Settled"/> samples: a reference
    /// that slow growth cannot drag along, because a value that has grown away is no longer learned.
    /// </summary>
    public void Learn(BehaviourWindow window, float within)
    {
        var settled = Samples >= Settled;
        Samples = Samples == int.MaxValue ? Samples : Samples + 1;
        var alpha = 1f / Math.Min(Samples, Span);
        var values = window.Values;
        for (var m = 0; m < BehaviourMetrics.Count; m++)
        {
            var x = values[m];
            var i = m * Fields;
            if (Samples == 1)
            {
                (_state[i], _state[i + 1], _state[i + 2]) = (x, 0, x);
                continue;
            }

            // EWMA mean and variance: diff = x − μ; μ += α·diff; σ² = (1 − α)(σ² + α·diff²).
            var diff = x - _state[i];
            var spread = Math.Max(MathF.Sqrt(Math.Max(0, _state[i + 1])), Math.Max(0.1f * Math.Abs(_state[i]), 1f));
            if (settled && diff > within * spread)
            {
                continue;
            }

            if (settled)
            {
                diff = Math.Clamp(diff, -Clip * spread, Clip * spread);
                x = _state[i] + diff;
            }

            var increment = alpha * diff;
            _state[i] += increment;
            _state[i + 1] = (1 - alpha) * (_state[i + 1] + (diff * increment));

            // Frugal quantile: step up by q, down by 1 − q, scaled to the spread so it converges on any scale.
            var step = QuantileStep * Math.Max(MathF.Sqrt(_state[i + 1]), 1f);
            _state[i + 2] += x > _state[i + 2] ? step * Quantile : -step * (1 - Quantile);
        }
    }
}
