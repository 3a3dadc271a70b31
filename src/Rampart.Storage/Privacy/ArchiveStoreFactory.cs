using Rampart.Privacy.Archive;

namespace Rampart.Storage.Privacy;

/// <summary>
/// Opens a region's archive store where <c>Rampart:Privacy:Archive:Stores:{region}</c> puts it, or by
/// default beside the node's data: the file <c>archive-{region}.db</c> in the data directory on a
/// SQLite node, the schema <c>archive_{region}</c> of the node's database on a PostgreSQL node.
/// </summary>
public static class ArchiveStoreFactory
{
    public static async Task<IArchiveStore> OpenAsync(
        string region, ArchiveStoreOptions? options, string provider, string dataDirectory, string? nodeConnectionString, CancellationToken cancellationToken)
    {
        if (region.Length is 0 or > 32 || !region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new InvalidOperationException($"region '{region}' cannot name an archive store: lower-case letters, digits and '-', at most 32 (Rampart:Privacy:Regions)");
        }

        var schema = options?.Schema ?? "archive_" + region.Replace('-', '_');
        if (options?.Path is { Length: > 0 } path)
        {
            return await ArchiveStore.OpenSqliteAsync(Path.Combine(dataDirectory, path), region, cancellationToken);
        }

        if (options?.ConnectionString is { Length: > 0 } connectionString)
        {
            return await ArchiveStore.OpenPostgresAsync(connectionString, schema, region, cancellationToken);
        }

        if (provider == StorageProviders.Postgres)
        {
            return await ArchiveStore.OpenPostgresAsync(nodeConnectionString ?? throw new InvalidOperationException("Rampart:Storage:ConnectionString is not set"), schema, region, cancellationToken);
        }

        if (options?.Schema is not null)
        {
            throw new InvalidOperationException($"Rampart:Privacy:Archive:Stores:{region}:Schema needs a ConnectionString on a SQLite node");
        }

        return await ArchiveStore.OpenSqliteAsync(Path.Combine(dataDirectory, $"archive-{region}.db"), region, cancellationToken);
    }
}
