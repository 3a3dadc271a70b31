using System.Globalization;
using System.Reflection;

namespace Rampart.Storage.Migrations;

/// <summary>The migrations shipped in this assembly: <c>Migrations/NNNN_name.sql</c>, ordered by NNNN.</summary>
public static class EmbeddedMigrations
{
    private const string ResourcePrefix = "Rampart.Storage.Migrations.";

    /// <summary>All shipped migrations, in version order.</summary>
    public static IReadOnlyList<Migration> All { get; } = Load();

    private static Migration[] Load()
    {
        var assembly = typeof(EmbeddedMigrations).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => Read(assembly, name))
            .OrderBy(migration => migration.Version)
            .ToArray();
    }

    private static Migration Read(Assembly assembly, string resource)
    {
        var fileName = resource[ResourcePrefix.Length..^".sql".Length];
        var separator = fileName.IndexOf('_', StringComparison.Ordinal);
        var version = int.Parse(fileName[..separator], NumberStyles.None, CultureInfo.InvariantCulture);
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return new Migration(version, fileName[(separator + 1)..], reader.ReadToEnd());
    }
}
