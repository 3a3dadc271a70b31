using Rampart.Posture.Evidence;
using Rampart.Posture.Models;
using Rampart.Posture.Risk;

namespace Rampart.Posture.Baselines;

/// <summary>Evaluates baselines over fleet evidence: one device, one model, or every device at once (in parallel: judges are pure).</summary>
public static class FleetEvaluation
{
    public static DeviceBaseline Device(FleetEvidence evidence, Fleet.Inventory.Device device, IReadOnlyList<Requirement> requirements)
    {
        var subject = evidence.SubjectOf(device);
        var results = SecurityBaselines.Evaluate(subject, requirements);

        // The risk counts failures of every standard, whichever one was asked for.
        var all = ReferenceEquals(requirements, SecurityBaselines.Of(null)) || requirements.Count == SecurityBaselines.Of(null).Count
            ? results : SecurityBaselines.Evaluate(subject, SecurityBaselines.Of(null));
        return new DeviceBaseline(device.Id, subject.Model?.Key, results, RiskScore.Of(subject, all));
    }

    public static ModelBaseline Model(FleetEvidence evidence, ModelRecord model, IReadOnlyList<Requirement> requirements)
    {
        var devices = evidence.Devices.Where(d => d.Model is not null && DeviceModel.KeyOf(d.Vendor, d.Model) == model.Model.Key).ToArray();
        var results = devices.AsParallel().Select(d => SecurityBaselines.Evaluate(evidence.SubjectOf(d), requirements)).ToArray();
        return new ModelBaseline(model.Model.Key, model.Admission.Admitted,
            SecurityBaselines.Evaluate(PostureSubject.OfModel(model.Model, evidence.Now), requirements), devices.Length, Tally(requirements, results));
    }

    public static FleetBaseline Fleet(FleetEvidence evidence)
    {
        var requirements = SecurityBaselines.Of(null);
        var evaluated = evidence.Devices.AsParallel().AsOrdered().Select(device =>
        {
            var subject = evidence.SubjectOf(device);
            var results = SecurityBaselines.Evaluate(subject, requirements);
            return (Device: device, Model: subject.Model?.Key ?? "(no registered model)", Results: results, Risk: RiskScore.Of(subject, results));
        }).ToArray();

        var byModel = evaluated.GroupBy(e => e.Model, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => (IReadOnlyDictionary<string, double>)Compliance(g.Select(e => e.Results)),
            StringComparer.Ordinal);
        return new FleetBaseline(evidence.Now, evaluated.Length, Tally(requirements, evaluated.Select(e => e.Results).ToArray()),
            Compliance(evaluated.Select(e => e.Results)), byModel, evaluated.Select(e => e.Risk).ToArray());
    }

    private static Dictionary<string, double> Compliance(IEnumerable<IReadOnlyList<RequirementResult>> results)
    {
        var counts = new Dictionary<string, (int Pass, int Judged)>(StringComparer.Ordinal);
        foreach (var result in results.SelectMany(r => r))
        {
            var (pass, judged) = counts.GetValueOrDefault(result.Standard);
            counts[result.Standard] = result.Verdict switch
            {
                Verdict.Pass => (pass + 1, judged + 1),
                Verdict.Fail => (pass, judged + 1),
                _ => (pass, judged),
            };
        }

        return counts.ToDictionary(c => c.Key, c => c.Value.Judged == 0 ? 0 : (double)c.Value.Pass / c.Value.Judged, StringComparer.Ordinal);
    }

    private static RequirementTally[] Tally(IReadOnlyList<Requirement> requirements, IReadOnlyList<IReadOnlyList<RequirementResult>> results)
    {
        var tallies = new RequirementTally[requirements.Count];
        for (var i = 0; i < requirements.Count; i++)
        {
            int pass = 0, fail = 0, unassessable = 0;
            foreach (var device in results)
            {
                switch (device[i].Verdict)
                {
                    case Verdict.Pass: pass++; break;
                    case Verdict.Fail: fail++; break;
                    default: unassessable++; break;
                }
            }

            tallies[i] = new RequirementTally(requirements[i].Standard, requirements[i].Id, requirements[i].Title, pass, fail, unassessable);
        }

        return tallies;
    }
}
