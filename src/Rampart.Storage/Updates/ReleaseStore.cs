using System.Data.Common;
using System.Text.Json;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Updates;
using Rampart.Storage.Sql;
using Rampart.Updates.Releases;

namespace Rampart.Storage.Updates;

/// <summary>Releases, on either provider.</summary>
public class ReleaseStore(IStoreDatabase database) : IReleaseStore
{
    private const string Columns =
        "id, model, version, svn, hardware, image_target, manifest_target, image_sha256, image_length, sbom_sha256, status, created_by, created_ms, promoted_by, promoted_ms";

    /// <inheritdoc />
    public async Task<bool> TryAddAsync(IStoreTransaction transaction, Release release, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(
            $"INSERT INTO releases ({Columns}) VALUES (@id, @model, @version, @svn, @hardware, @image, @manifest, @sha, @length, @sbom, @status, @by, @at, NULL, NULL) " +
            "ON CONFLICT DO NOTHING",
            cancellationToken,
            ("id", release.Id), ("model", release.Model), ("version", release.Version), ("svn", release.SecurityVersion),
            ("hardware", JsonSerializer.Serialize(release.Hardware)), ("image", release.ImageTarget), ("manifest", release.ManifestTarget),
            ("sha", release.ImageSha256), ("length", release.ImageLength), ("sbom", release.SbomSha256), ("status", Name(release.Status)),
            ("by", release.CreatedBy), ("at", release.Created.ToUnixMs())) == 1;

    /// <inheritdoc />
    public Task<Release?> GetAsync(string id, CancellationToken cancellationToken) =>
        database.QuerySingleAsync($"SELECT {Columns} FROM releases WHERE id = @id", Read, cancellationToken, ("id", id));

    /// <inheritdoc />
    public async Task<IReadOnlyList<Release>> ListAsync(int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync($"SELECT {Columns} FROM releases ORDER BY created_ms DESC, id LIMIT @limit", Read, cancellationToken, ("limit", limit));

    /// <inheritdoc />
    public async Task<bool> TryPromoteAsync(IStoreTransaction transaction, string id, string promotedBy, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync("UPDATE releases SET status = 'production', promoted_by = @by, promoted_ms = @at WHERE id = @id AND status = 'staged'",
            cancellationToken, ("by", promotedBy), ("at", transaction.Now.ToUnixMs()), ("id", id)) == 1;

    private static string Name(ReleaseStatus status) => status.ToString().ToLowerInvariant();

    private static Release Read(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3),
        JsonSerializer.Deserialize<string[]>(reader.GetString(4)) ?? [], reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetInt64(8),
        reader.IsDBNull(9) ? null : reader.GetString(9), Enum.Parse<ReleaseStatus>(reader.GetString(10), ignoreCase: true), reader.GetString(11),
        DbCommands.FromUnixMs(reader.GetInt64(12)), reader.IsDBNull(13) ? null : reader.GetString(13), reader.FromUnixMs(14));
}

/// <summary>The store on a SQLite file, by the name callers outside Storage (tests, bench) know it.</summary>
public sealed class SqliteReleaseStore(Sqlite.SqliteDatabase database) : ReleaseStore(database);
