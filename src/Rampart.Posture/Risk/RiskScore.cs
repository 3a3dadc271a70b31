using Rampart.Posture.Baselines;
using Rampart.Posture.Baselines.Judges;
using Rampart.Posture.Evidence;

namespace Rampart.Posture.Risk;

/// <summary>One device's risk, 0–100, with the points each factor added (docs/posture.md, "Risk score").</summary>
public sealed record RiskScore(string DeviceId, int Score, string Band, IReadOnlyDictionary<string, int> Factors)
{
    /// <summary>The bands of the report: low (0–24), medium (25–49), high (50–74), critical (75–100).</summary>
    public static readonly IReadOnlyList<string> Bands = ["low", "medium", "high", "critical"];

    public static string BandOf(int score) => Bands[Math.Clamp(score / 25, 0, 3)];

    /// <summary>
    /// The documented formula, the sum clamped to 0–100: vulnerabilities (25 critical, 15 high, 5 other;
    /// 0 when not assessable), baseline failures (3 per failed requirement, at most 25), open alerts (8 each,
    /// at most 20), zone exposure (10 for an insecure or undeclared service listening, 5 when the device is
    /// confined), support (15 ended, 5 ending within 90 days or unknown), certificate age (5 past one year,
    /// 10 past two, 10 for an enrolled device with no live certificate).
    /// </summary>
    public static RiskScore Of(PostureSubject subject, IReadOnlyList<RequirementResult> results)
    {
        var factors = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["vulnerabilities"] = subject.Exposure switch
            {
                { Assessable: false } => 0,
                { Critical: > 0 } => 25,
                { High: > 0 } => 15,
                { Other: > 0 } => 5,
                _ => 0,
            },
            ["baseline-failures"] = Math.Min(25, 3 * results.Where(r => r.Verdict == Verdict.Fail).Select(r => r.Standard + r.Id).Distinct().Count()),
            ["open-alerts"] = Math.Min(20, 8 * subject.OpenAlerts),
            ["zone-exposure"] = subject.Posture is { } posture && NetworkServices.Offending(posture, subject.Model?.Capabilities.ListeningPorts).Count > 0
                ? (subject.Confined ? 5 : 10) : 0,
            ["support"] = subject.SupportUntil switch
            {
                null => 5,
                var until when until.Value < subject.Today => 15,
                var until when until.Value < subject.Today.AddDays(90) => 5,
                _ => 0,
            },
            ["certificate-age"] = subject.LiveCertificate switch
            {
                null when subject.Certificates.Count > 0 => 10,
                null => 0,
                var live when subject.Now - live.NotBefore > TimeSpan.FromDays(730) => 10,
                var live when subject.Now - live.NotBefore > TimeSpan.FromDays(365) => 5,
                _ => 0,
            },
        };
        var score = Math.Clamp(factors.Values.Sum(), 0, 100);
        return new RiskScore(subject.Device?.Id ?? string.Empty, score, BandOf(score), factors);
    }
}
