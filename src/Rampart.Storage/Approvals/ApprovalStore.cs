using System.Data.Common;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Audit;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Approvals;

/// <summary>Four-eyes requests, on either provider.</summary>
public class ApprovalStore(IStoreDatabase database) : IApprovalStore
{
    private const string Columns = "id, operation, summary, payload, permission, requested_by, requested_ms, expires_ms, status, decided_by, decided_ms, result";

    /// <inheritdoc />
    public async Task<long> AddAsync(IStoreTransaction transaction, Approval approval, CancellationToken cancellationToken) =>
        (long)(await transaction.ScalarAsync(
            "INSERT INTO approvals (operation, summary, payload, permission, requested_by, requested_ms, expires_ms, status) " +
            "VALUES (@op, @summary, @payload, @perm, @by, @at, @expires, 'pending') RETURNING id",
            cancellationToken,
            ("op", approval.Operation), ("summary", approval.Summary), ("payload", approval.Payload), ("perm", approval.Permission),
            ("by", approval.RequestedBy), ("at", approval.Requested.ToUnixMs()), ("expires", approval.Expires.ToUnixMs())))!;

    /// <inheritdoc />
    public Task<Approval?> GetAsync(long id, CancellationToken cancellationToken) =>
        database.QuerySingleAsync($"SELECT {Columns} FROM approvals WHERE id = @id", Read, cancellationToken, ("id", id));

    /// <inheritdoc />
    public async Task<IReadOnlyList<Approval>> ListAsync(ApprovalStatus? status, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync($"SELECT {Columns} FROM approvals WHERE (CAST(@status AS text) IS NULL OR status = @status) ORDER BY id DESC LIMIT @limit",
            Read, cancellationToken, ("status", status?.ToString().ToLowerInvariant()), ("limit", limit));

    /// <inheritdoc />
    public async Task<bool> TryDecideAsync(IStoreTransaction transaction, long id, ApprovalStatus to, string decidedBy, DateTimeOffset at, string? result, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(
            "UPDATE approvals SET status = @to, decided_by = @by, decided_ms = @at, result = @result WHERE id = @id AND status = 'pending'", cancellationToken,
            ("to", to.ToString().ToLowerInvariant()), ("by", decidedBy), ("at", at.ToUnixMs()), ("result", result), ("id", id)) == 1;

    /// <inheritdoc />
    public Task SetOutcomeAsync(IStoreTransaction transaction, long id, ApprovalStatus status, string result, CancellationToken cancellationToken) =>
        transaction.ExecuteAsync("UPDATE approvals SET status = @status, result = @result WHERE id = @id", cancellationToken,
            ("status", status.ToString().ToLowerInvariant()), ("result", result), ("id", id));

    private static Approval Read(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
        DbCommands.FromUnixMs(reader.GetInt64(6)), DbCommands.FromUnixMs(reader.GetInt64(7)),
        Enum.Parse<ApprovalStatus>(reader.GetString(8), ignoreCase: true),
        reader.IsDBNull(9) ? null : reader.GetString(9), reader.FromUnixMs(10), reader.IsDBNull(11) ? null : reader.GetString(11));
}

/// <summary>The store on a SQLite file, by the name callers outside Storage (tests, bench) know it.</summary>
public sealed class SqliteApprovalStore(Sqlite.SqliteDatabase database) : ApprovalStore(database);
