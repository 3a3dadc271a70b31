using System.Globalization;
using System.Reflection;

namespace Rampart.Storage.Migrations;

/// <summary>
/// The migrations shipped in this assembly, one history per provider, each ordered by NNNN:
/// SQLite's are <c>Migrations/NNNN_name.sql</c> (the resource names existing databases were built
/// from), PostgreSQL's are <c>Postgres/Migrations/NNNN_name.sql</c> under their own resource prefix.
/// </summary>
public static class EmbeddedMigrations
{
    private const string SqlitePrefix = "Rampart.Storage.Migrations.";
    private const string PostgresPrefix = "Rampart.Storage.Postgres.Migrations.";

    /// <summary>All shipped SQLite migrations, in version order.</summary>
    public static IReadOnlyList<Migration> All { get; } = Load(SqlitePrefix);

    /// <summary>All shipped PostgreSQL migrations, in version order.</summary>
    public static IReadOnlyList<Migration> Postgres { get; } = Load(PostgresPrefix);

    private static Migration[] Load(string prefix)
    {
        var assembly = typeof(EmbeddedMigrations).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => Read(assembly, name, prefix))
            .OrderBy(migration => migration.Version)
            .ToArray();
    }

    private static Migration Read(Assembly assembly, string resource, string prefix)
    {
        var fileName = resource[prefix.Length..^".sql".Length];
        var separator = fileName.IndexOf('_', StringComparison.Ordinal);
        var version = int.Parse(fileName[..separator], NumberStyles.None, CultureInfo.InvariantCulture);
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return new Migration(version, fileName[(separator + 1)..], reader.ReadToEnd());
    }
}
