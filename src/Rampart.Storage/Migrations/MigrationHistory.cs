namespace Rampart.Storage.Migrations;

/// <summary>The rule both providers' runners apply to what a database says was applied.</summary>
internal static class MigrationHistory
{
    /// <summary>
    /// Refuses a database whose applied migrations were edited after they ran or that is newer than
    /// this build; <paramref name="where"/> names the database in the message (never its credentials).
    /// </summary>
    public static void Check(IReadOnlyList<Migration> migrations, IReadOnlyDictionary<int, byte[]> applied, string where)
    {
        var known = migrations.ToDictionary(m => m.Version);
        var latest = migrations.Count == 0 ? 0 : migrations[^1].Version;
        foreach (var (version, checksum) in applied.OrderBy(pair => pair.Key))
        {
            if (!known.TryGetValue(version, out var migration))
            {
                throw new MigrationException(
                    $"the database at {where} has schema version {version}, newer than this Rampart knows ({latest}); run a newer Rampart or restore a backup");
            }

            if (!migration.Checksum.AsSpan().SequenceEqual(checksum))
            {
                throw new MigrationException(
                    $"migration {version:D4}_{migration.Name} was changed after it was applied to {where}; migrations are immutable, add a new one instead");
            }
        }
    }
}
