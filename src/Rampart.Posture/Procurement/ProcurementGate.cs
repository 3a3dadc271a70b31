using Rampart.Posture.Baselines;
using Rampart.Posture.Evidence;
using Rampart.Posture.Models;

namespace Rampart.Posture.Procurement;

/// <summary>
/// Judges a model before it is admitted: every requirement of every standard on the declaration alone.
/// Any failure refuses the model (a declared universal default password fails ETSI EN 303 645 5.1-1,
/// OWASP I1 and I9); what a declaration cannot show is listed as not assessable, not counted as a pass.
/// </summary>
public static class ProcurementGate
{
    public static Admission Evaluate(DeviceModel model, DateTimeOffset now)
    {
        var results = SecurityBaselines.Evaluate(PostureSubject.OfModel(model, now), SecurityBaselines.Of(null));
        var failed = results.Where(r => r.Verdict == Verdict.Fail).ToArray();
        return new Admission(failed.Length == 0, failed, results.Where(r => r.Verdict == Verdict.NotAssessable).ToArray());
    }
}
