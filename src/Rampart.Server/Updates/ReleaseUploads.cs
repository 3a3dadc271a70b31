using System.Security.Cryptography;
using Rampart.Fleet.Errors;
using Rampart.Server.DataDirectory;
using Rampart.Updates.Files;

namespace Rampart.Server.Updates;

/// <summary>
/// Files uploaded for a release (image, SBOM) before the release is created, kept owner-only in
/// <c>DATA/uploads/&lt;sha256&gt;</c> and named by their hash, so the JSON request that creates the release
/// stays small and names exactly the bytes it means. Uploads older than a day are deleted.
/// </summary>
public sealed class ReleaseUploads(string dataDirectory, TimeProvider time)
{
    /// <summary>Largest upload (a firmware image).</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    /// <summary>How long an unused upload is kept.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    private string Directory => Path.Combine(dataDirectory, "uploads");

    /// <summary>
    /// Streams at most <see cref="MaxBytes"/> from <paramref name="body"/> to an owner-only temporary file while
    /// hashing it (memory stays small whatever the size), fsyncs it and renames it to its SHA-256 (hex), which
    /// it returns. A refused or broken upload leaves nothing behind.
    /// </summary>
    public async Task<(string Sha256, long Length)> StoreAsync(Stream body, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        DeleteExpired();
        var temporary = Path.Combine(Directory, $".upload-{Guid.NewGuid():N}");
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long length = 0;
            await using (var file = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnlyFile.Mode, Options = FileOptions.Asynchronous,
            }))
            {
                var chunk = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
                {
                    length += read;
                    if (length > MaxBytes)
                    {
                        throw new FleetException(FleetErrorKind.Invalid, $"the upload is larger than {MaxBytes / (1024 * 1024)} MiB");
                    }

                    hash.AppendData(chunk, 0, read);
                    await file.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
                }

                file.Flush(flushToDisk: true);
            }

            if (length == 0)
            {
                throw new FleetException(FleetErrorKind.Invalid, "the upload is empty");
            }

            var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            File.Move(temporary, Path.Combine(Directory, sha256), overwrite: true);

            // The rename is durable only once the directory is: a release created from this upload must
            // not find it gone after a crash (the file's own fsync does not cover its name).
            AtomicFile.SyncDirectory(Directory);
            return (sha256, length);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The uploaded bytes with this SHA-256, checked again; a clear error when there are none.</summary>
    public byte[] Read(string sha256, string what)
    {
        if (sha256.Length != 64 || !sha256.All(Uri.IsHexDigit))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"{what} must name an upload by its SHA-256 (64 hex digits)");
        }

        var path = Path.Combine(Directory, sha256.ToLowerInvariant());
        if (!File.Exists(path))
        {
            throw new FleetException(FleetErrorKind.NotFound, $"no upload {sha256} for {what}: upload it first (POST /api/v1/releases/uploads)");
        }

        var bytes = File.ReadAllBytes(path);
        return Convert.ToHexStringLower(SHA256.HashData(bytes)) == sha256.ToLowerInvariant()
            ? bytes
            : throw new FleetException(FleetErrorKind.Conflict, $"upload {sha256} is damaged on disk; upload it again");
    }

    /// <summary>Removes an upload once a release holds its bytes.</summary>
    public void Delete(string sha256) => File.Delete(Path.Combine(Directory, sha256.ToLowerInvariant()));

    private void DeleteExpired()
    {
        var cutoff = time.GetUtcNow() - Lifetime;
        foreach (var file in new DirectoryInfo(Directory).EnumerateFiles())
        {
            // Temporary files of uploads in progress are young; old ones are from a crash.
            if (file.LastWriteTimeUtc < cutoff.UtcDateTime)
            {
                file.Delete();
            }
        }
    }
}
