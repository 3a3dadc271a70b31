using System.Data.Common;
using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Certificates;
using Rampart.Pki.Authority;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Certificates;

/// <summary>Issued certificates, on either provider.</summary>
public sealed class CertificateStore(IStoreDatabase database) : ICertificateStore
{
    private const string Columns = "serial, profile, subject, key_sha256, not_before_ms, not_after_ms, revoked_ms, revocation_reason, der";
    private const string OtherKeyHolder =
        "SELECT profile || ':' || subject FROM certificates WHERE key_sha256 = @key AND NOT (profile = @profile AND subject = @subject) LIMIT 1";

    /// <inheritdoc />
    public Task AddAsync(IssuedCertificate certificate, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            $"INSERT INTO certificates ({Columns}) VALUES (@serial, @profile, @subject, @key, @nb, @na, NULL, NULL, @der)",
            cancellationToken,
            ("serial", certificate.Serial), ("profile", certificate.Profile), ("subject", certificate.Subject), ("key", certificate.KeyFingerprint),
            ("nb", certificate.NotBefore.ToUnixMs()), ("na", certificate.NotAfter.ToUnixMs()), ("der", certificate.Der));

    /// <inheritdoc />
    public Task AddAsync(IStoreTransaction transaction, IssuedCertificate certificate, CancellationToken cancellationToken) =>
        transaction.ExecuteAsync(
            $"INSERT INTO certificates ({Columns}) VALUES (@serial, @profile, @subject, @key, @nb, @na, NULL, NULL, @der)",
            cancellationToken,
            ("serial", certificate.Serial), ("profile", certificate.Profile), ("subject", certificate.Subject), ("key", certificate.KeyFingerprint),
            ("nb", certificate.NotBefore.ToUnixMs()), ("na", certificate.NotAfter.ToUnixMs()), ("der", certificate.Der));

    /// <inheritdoc />
    public Task<IssuedCertificate?> GetAsync(string serial, CancellationToken cancellationToken) =>
        database.QuerySingleAsync($"SELECT {Columns} FROM certificates WHERE serial = @serial", Read, cancellationToken, ("serial", serial.ToUpperInvariant()));

    /// <inheritdoc />
    public async Task<IReadOnlyList<IssuedCertificate>> ListAsync(string profile, string subject, CancellationToken cancellationToken) =>
        await database.QueryAsync($"SELECT {Columns} FROM certificates WHERE profile = @profile AND subject = @subject ORDER BY not_before_ms DESC",
            Read, cancellationToken, ("profile", profile), ("subject", subject));

    /// <inheritdoc />
    public async Task<IReadOnlyList<IssuedCertificate>> ListAsync(IStoreTransaction transaction, string profile, string subject, CancellationToken cancellationToken) =>
        await transaction.QueryAsync($"SELECT {Columns} FROM certificates WHERE profile = @profile AND subject = @subject ORDER BY not_before_ms DESC",
            Read, cancellationToken, ("profile", profile), ("subject", subject));

    /// <inheritdoc />
    public async Task<string?> FindOtherKeyHolderAsync(string keyFingerprint, string profile, string subject, CancellationToken cancellationToken) =>
        await database.ScalarAsync(OtherKeyHolder, cancellationToken, ("key", keyFingerprint), ("profile", profile), ("subject", subject)) as string;

    /// <inheritdoc />
    public async Task<string?> FindOtherKeyHolderAsync(IStoreTransaction transaction, string keyFingerprint, string profile, string subject, CancellationToken cancellationToken) =>
        await transaction.ScalarAsync(OtherKeyHolder, cancellationToken, ("key", keyFingerprint), ("profile", profile), ("subject", subject)) as string;

    /// <inheritdoc />
    public async Task<bool> TryRevokeAsync(IStoreTransaction transaction, string serial, DateTimeOffset at, X509RevocationReason reason, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(
            "UPDATE certificates SET revoked_ms = @at, revocation_reason = @reason WHERE serial = @serial AND revoked_ms IS NULL",
            cancellationToken, ("at", at.ToUnixMs()), ("reason", (int)reason), ("serial", serial)) == 1;

    /// <inheritdoc />
    public async Task<IReadOnlyList<RevokedSerial>> ListRevokedUnexpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT serial, revoked_ms, revocation_reason FROM certificates WHERE revoked_ms IS NOT NULL AND not_after_ms > @now ORDER BY revoked_ms",
            reader => new RevokedSerial(reader.GetString(0), DbCommands.FromUnixMs(reader.GetInt64(1)), (X509RevocationReason)reader.GetInt32(2)),
            cancellationToken, ("now", now.ToUnixMs()));

    private static IssuedCertificate Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        DbCommands.FromUnixMs(reader.GetInt64(4)),
        DbCommands.FromUnixMs(reader.GetInt64(5)),
        !reader.IsDBNull(6),
        reader.FromUnixMs(6),
        reader.IsDBNull(7) ? null : (X509RevocationReason)reader.GetInt32(7),
        (byte[])reader.GetValue(8));
}
