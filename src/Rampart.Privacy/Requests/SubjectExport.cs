using System.Runtime.CompilerServices;
using System.Text;
using Rampart.Fleet.Monitoring;
using Rampart.Privacy.Archive;
using Rampart.Privacy.Events;
using Rampart.Privacy.Subjects;

namespace Rampart.Privacy.Requests;

/// <summary>
/// Everything Rampart holds about one subject, in JSON (GDPR art. 15 access, art. 20 portability; CPRA §1798.110, §1798.130).
/// <see cref="Archive"/> is streamed as it is read and decrypted (a subject may have millions of archived
/// messages); <see cref="ArchiveHeld"/> says how many the archive holds, so a reader knows when the
/// stream stopped at <see cref="ArchiveOptions.MaxExportMessages"/>.
/// </summary>
public sealed record SubjectExportDocument(
    string Format, DateTimeOffset Exported, SubjectRecord? Subject, IReadOnlyList<ExportedEvent> Events, bool Truncated, long ArchiveHeld, IAsyncEnumerable<ExportedArchiveMessage> Archive)
{
    public const string FormatName = "rampart.privacy.subject-export/2";
}

/// <summary>A security event about one of the subject's devices.</summary>
public sealed record ExportedEvent(long Id, DateTimeOffset Time, string Kind, string Severity, string? DeviceId, string? Source, IReadOnlyDictionary<string, string> Details);

/// <summary>An archived message of one of the subject's devices: its payload as text when it is UTF-8, else in base64.</summary>
public sealed record ExportedArchiveMessage(long Id, DateTimeOffset Time, string DeviceId, string Family, string Topic, string? Payload, string? PayloadBase64)
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static ExportedArchiveMessage From(ArchivedMessage message)
    {
        string? text;
        try
        {
            text = Strict.GetString(message.Payload);
        }
        catch (DecoderFallbackException)
        {
            text = null;
        }

        return new(message.Id, message.Time, message.DeviceId, message.Family, message.Topic, text, text is null ? Convert.ToBase64String(message.Payload) : null);
    }
}

/// <summary>Builds a subject's export; an unknown or erased subject exports empty.</summary>
public sealed class SubjectExport(SubjectService subjects, ISecurityEventStore events, TimeProvider time, TelemetryArchive? archive = null)
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
            // Only the subject's own addresses opened: those recorded before the device was linked to it may be another person's.
            var page = events is SubjectSealedEventStore sealedEvents
                ? await sealedEvents.ListForSubjectAsync(device, subject!.Pseudonym, MaxEventsPerDevice, cancellationToken)
                : await events.ListAsync(device, MaxEventsPerDevice, cancellationToken);
            truncated |= page.Count == MaxEventsPerDevice;
            exported.AddRange(page.Select(e => new ExportedEvent(e.Id, e.Event.Time, e.Event.Kind, e.Event.Severity.ToString().ToLowerInvariant(), e.Event.DeviceId, e.Event.Source, e.Event.Details)));
        }

        var held = subject is null || archive is null ? 0 : await archive.HeldByAsync(subject.Region, subject.Pseudonym, cancellationToken);
        return new SubjectExportDocument(SubjectExportDocument.FormatName, time.GetUtcNow(), subject, [.. exported.OrderBy(e => e.Id)], truncated, held,
            subject is null || archive is null ? Empty() : ArchiveOf(subject, archive, cancellationToken));
    }

    private static async IAsyncEnumerable<ExportedArchiveMessage> ArchiveOf(SubjectRecord subject, TelemetryArchive archive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var message in archive.ReadAsync(subject.Region, new ArchiveQuery(subject.Pseudonym, null, null, null, 0, int.MaxValue), cancellationToken))
        {
            yield return ExportedArchiveMessage.From(message);
        }
    }

    private static async IAsyncEnumerable<ExportedArchiveMessage> Empty()
    {
        await Task.CompletedTask;
        yield break;
    }
}
