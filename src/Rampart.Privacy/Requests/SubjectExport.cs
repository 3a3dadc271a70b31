using Rampart.Fleet.Monitoring;
using Rampart.Privacy.Subjects;

namespace Rampart.Privacy.Requests;

/// <summary>Everything Rampart holds about one subject, in JSON (GDPR art. 15 access, art. 20 portability; CPRA §1798.110, §1798.130).</summary>
public sealed record SubjectExportDocument(
    string Format, DateTimeOffset Exported, SubjectRecord? Subject, IReadOnlyList<ExportedEvent> Events, bool Truncated)
{
    public const string FormatName = "rampart.privacy.subject-export/1";
}

/// <summary>A security event about one of the subject's devices.</summary>
public sealed record ExportedEvent(long Id, DateTimeOffset Time, string Kind, string Severity, string? DeviceId, string? Source, IReadOnlyDictionary<string, string> Details);

/// <summary>Builds a subject's export; an unknown or erased subject exports empty.</summary>
public sealed class SubjectExport(SubjectService subjects, ISecurityEventStore events, TimeProvider time)
{
    /// <summary>Most events exported per device.</summary>
    public const int MaxEventsPerDevice = 10_000;

    public async Task<SubjectExportDocument> ExportAsync(string subjectId, CancellationToken cancellationToken)
    {
        var subject = await subjects.GetAsync(subjectId, cancellationToken);
        var exported = new List<ExportedEvent>();
        var truncated = false;
        foreach (var device in subject?.Devices ?? [])
        {
            var page = await events.ListAsync(device, MaxEventsPerDevice, cancellationToken);
            truncated |= page.Count == MaxEventsPerDevice;
            exported.AddRange(page.Select(e => new ExportedEvent(e.Id, e.Event.Time, e.Event.Kind, e.Event.Severity.ToString().ToLowerInvariant(), e.Event.DeviceId, e.Event.Source, e.Event.Details)));
        }

        return new SubjectExportDocument(SubjectExportDocument.FormatName, time.GetUtcNow(), subject, [.. exported.OrderBy(e => e.Id)], truncated);
    }
}
