using System.Security.Cryptography.X509Certificates;
using Microsoft.Data.Sqlite;
using Rampart.Fleet.Certificates;
using Rampart.Pki.Authority;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Certificates;

/// <summary>Issued certificates in SQLite.</summary>
public sealed class SqliteCertificateStore(SqliteDatabase database) : ICertificateStore
{
    private const string Columns = "serial, profile, subject, key_sha256, not_before_ms, not_after_ms, revoked_ms, revocation_reason, der";

    /// <inheritdoc />
    public async Task AddAsync(IssuedCertificate certificate, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var insert = connection.Command(
            $"INSERT INTO certificates ({Columns}) VALUES ($serial, $profile, $subject, $key, $nb, $na, NULL, NULL, $der)")
            .With("$serial", certificate.Serial).With("$profile", certificate.Profile).With("$subject", certificate.Subject)
            .With("$key", certificate.KeyFingerprint).With("$nb", certificate.NotBefore.ToUnixMs()).With("$na", certificate.NotAfter.ToUnixMs())
            .With("$der", certificate.Der);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IssuedCertificate?> GetAsync(string serial, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command($"SELECT {Columns} FROM certificates WHERE serial = $serial").With("$serial", serial.ToUpperInvariant());
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<IssuedCertificate>> ListAsync(string profile, string subject, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command($"SELECT {Columns} FROM certificates WHERE profile = $profile AND subject = $subject ORDER BY not_before_ms DESC")
            .With("$profile", profile).With("$subject", subject);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var list = new List<IssuedCertificate>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    /// <inheritdoc />
    public async Task<string?> FindOtherKeyHolderAsync(string keyFingerprint, string profile, string subject, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command(
            "SELECT profile || ':' || subject FROM certificates WHERE key_sha256 = $key AND NOT (profile = $profile AND subject = $subject) LIMIT 1")
            .With("$key", keyFingerprint).With("$profile", profile).With("$subject", subject);
        return await select.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <inheritdoc />
    public async Task<bool> TryRevokeAsync(string serial, DateTimeOffset at, X509RevocationReason reason, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var update = connection.Command(
            "UPDATE certificates SET revoked_ms = $at, revocation_reason = $reason WHERE serial = $serial AND revoked_ms IS NULL")
            .With("$at", at.ToUnixMs()).With("$reason", (int)reason).With("$serial", serial);
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RevokedSerial>> ListRevokedUnexpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command(
            "SELECT serial, revoked_ms, revocation_reason FROM certificates WHERE revoked_ms IS NOT NULL AND not_after_ms > $now ORDER BY revoked_ms")
            .With("$now", now.ToUnixMs());
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var list = new List<RevokedSerial>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new RevokedSerial(reader.GetString(0), SqliteCommands.FromUnixMs(reader.GetInt64(1)), (X509RevocationReason)reader.GetInt32(2)));
        }

        return list;
    }

    private static IssuedCertificate Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        SqliteCommands.FromUnixMs(reader.GetInt64(4)),
        SqliteCommands.FromUnixMs(reader.GetInt64(5)),
        !reader.IsDBNull(6),
        reader.FromUnixMs(6),
        reader.IsDBNull(7) ? null : (X509RevocationReason)reader.GetInt32(7),
        (byte[])reader.GetValue(8));
}
