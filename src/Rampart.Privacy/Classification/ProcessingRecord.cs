using Rampart.Privacy.Delivery;
using Rampart.Privacy.Keys;
using Rampart.Privacy.Retention;

namespace Rampart.Privacy.Classification;

/// <summary>The record of processing as <c>rampart privacy inventory</c> shows it (GDPR art. 30(1); CPRA §1798.100(a) notice at collection).</summary>
public sealed record ProcessingInventory(
    IReadOnlyList<HeldFieldView> Fields,
    IReadOnlyList<string> Unclassified,
    IReadOnlyList<TopicFamilyView> TopicFamilies,
    IReadOnlyList<ServiceView> Services,
    IReadOnlyList<string> Regions,
    IReadOnlyDictionary<string, int> RetentionDays,
    int Subjects,
    int KekVersion);

/// <summary>One stored field, with its retention resolved to days where a job enforces it.</summary>
public sealed record HeldFieldView(string Store, string Field, string Class, string Purpose, string Where, string Retention, bool EncryptedAtRest);

/// <summary>A device topic family.</summary>
public sealed record TopicFamilyView(string Name, string Topics, string Class, string Purpose, IReadOnlyList<string> MinimisedFor);

/// <summary>A service's declaration.</summary>
public sealed record ServiceView(string Name, string? Region, IReadOnlyDictionary<string, string> Purposes);

/// <summary>Builds the inventory from <see cref="StoredData"/>, the live schema, the policy and retention in force.</summary>
public sealed class ProcessingRecord(IStoredColumns columns, PrivacyPolicy policy, RetentionPolicy retention, SubjectDirectory subjects, IKeyEncryptionKeys keks)
{
    public async Task<ProcessingInventory> BuildAsync(CancellationToken cancellationToken)
    {
        var periods = await retention.PeriodsAsync(cancellationToken);
        var known = StoredData.Fields.Select(f => (f.Store, f.Field)).ToHashSet();
        var unclassified = (await columns.ColumnsAsync(cancellationToken)).Where(c => !known.Contains(c)).Select(c => $"{c.Table}.{c.Column}").ToArray();
        var fields = StoredData.Fields.Select(f => new HeldFieldView(f.Store, f.Field, Name(f.Class), f.Purpose, f.Where,
            periods.TryGetValue(f.Retention, out var days) ? $"{days} days ({f.Retention})" : f.Retention, f.EncryptedAtRest)).ToArray();
        var families = policy.Topics.Families.OrderBy(f => f.Path, StringComparer.Ordinal).Select(f => new TopicFamilyView(f.Name, $"devices/{{id}}/{f.Path}/#", Name(f.Class), f.Purpose,
            [.. policy.Services.Where(s => s.RulesFor(f) is not null).Select(s => s.Name).Order(StringComparer.Ordinal)])).ToArray();
        var services = policy.Services.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => new ServiceView(s.Name, s.Region, s.Purposes)).ToArray();
        return new ProcessingInventory(fields, unclassified, families, services, [.. policy.Regions.Order(StringComparer.Ordinal)], periods, subjects.Count, keks.CurrentVersion);
    }

    private static string Name(DataClass dataClass) => dataClass.ToString().ToLowerInvariant();
}
