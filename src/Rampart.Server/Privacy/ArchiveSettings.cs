using Rampart.Privacy.Archive;
using Rampart.Privacy.Delivery;

namespace Rampart.Server.Privacy;

/// <summary>Checks <c>Rampart:Privacy:Archive</c> at start: families and regions it names exist, bounds are sane.</summary>
internal static class ArchiveSettings
{
    public static void Check(ArchiveOptions archive, PrivacyPolicy policy)
    {
        var families = policy.Topics.Families.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var family in archive.Families.Where(f => !families.Contains(f)))
        {
            throw new InvalidOperationException($"{PrivacySettings.Section}:Archive:Families: '{family}' is not a topic family; one of: {string.Join(", ", families.Order(StringComparer.Ordinal))}");
        }

        foreach (var region in archive.Stores.Keys.Where(r => !policy.Regions.Contains(r)))
        {
            throw new InvalidOperationException($"{PrivacySettings.Section}:Archive:Stores: '{region}' is not a configured region");
        }

        Bound(archive.MaxPayloadBytes, 1, 1 << 20, "MaxPayloadBytes");
        Bound(archive.QueueCapacity, 1, 1_000_000, "QueueCapacity");
        Bound(archive.BatchSize, 1, 10_000, "BatchSize");
        Bound(archive.MaxExportMessages, 1, 100_000_000, "MaxExportMessages");
    }

    private static void Bound(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new InvalidOperationException($"{PrivacySettings.Section}:Archive:{name} must be between {min} and {max}");
        }
    }
}
