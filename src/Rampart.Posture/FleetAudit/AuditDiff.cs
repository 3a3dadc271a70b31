namespace Rampart.Posture.FleetAudit;

/// <summary>What changed since the previous run: per check, resources that became non-compliant and those that no longer are.</summary>
public sealed record AuditDiff(long Run, long? Previous, IReadOnlyList<CheckDiff> Checks)
{
    public static AuditDiff Between(AuditRun run, AuditRun? previous)
    {
        var before = previous?.Checks.ToDictionary(c => c.Check, StringComparer.Ordinal) ?? [];
        var changes = new List<CheckDiff>();
        foreach (var check in run.Checks)
        {
            var old = before.GetValueOrDefault(check.Check);
            var was = (old?.Resources ?? []).Select(AuditChecks.ResourceName).ToHashSet(StringComparer.Ordinal);
            var now = check.Resources.Select(AuditChecks.ResourceName).ToHashSet(StringComparer.Ordinal);
            var added = now.Except(was).Order(StringComparer.Ordinal).ToArray();
            var resolved = was.Except(now).Order(StringComparer.Ordinal).ToArray();
            if (added.Length > 0 || resolved.Length > 0 || old?.Status != check.Status)
            {
                changes.Add(new CheckDiff(check.Check, old?.Status, check.Status, added, resolved));
            }
        }

        return new AuditDiff(run.Id, previous?.Id, changes);
    }
}

/// <summary>One check's change between two runs.</summary>
public sealed record CheckDiff(string Check, CheckStatus? Was, CheckStatus Now, IReadOnlyList<string> NewResources, IReadOnlyList<string> ResolvedResources);
