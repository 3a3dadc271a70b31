using Microsoft.Data.Sqlite;
using Rampart.Fleet.Approvals;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Approvals;

/// <summary>Four-eyes requests in SQLite.</summary>
public sealed class SqliteApprovalStore(SqliteDatabase database) : IApprovalStore
{
    private const string Columns = "id, operation, summary, payload, permission, requested_by, requested_ms, expires_ms, status, decided_by, decided_ms, result";

    /// <inheritdoc />
    public async Task<long> AddAsync(Approval approval, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var insert = connection.Command(
            "INSERT INTO approvals (operation, summary, payload, permission, requested_by, requested_ms, expires_ms, status) " +
            "VALUES ($op, $summary, $payload, $perm, $by, $at, $expires, 'pending') RETURNING id")
            .With("$op", approval.Operation).With("$summary", approval.Summary).With("$payload", approval.Payload).With("$perm", approval.Permission)
            .With("$by", approval.RequestedBy).With("$at", approval.Requested.ToUnixMs()).With("$expires", approval.Expires.ToUnixMs());
        return (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <inheritdoc />
    public async Task<Approval?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command($"SELECT {Columns} FROM approvals WHERE id = $id").With("$id", id);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Approval>> ListAsync(ApprovalStatus? status, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command($"SELECT {Columns} FROM approvals WHERE ($status IS NULL OR status = $status) ORDER BY id DESC LIMIT $limit")
            .With("$status", status?.ToString().ToLowerInvariant()).With("$limit", limit);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var list = new List<Approval>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    /// <inheritdoc />
    public async Task<bool> TryDecideAsync(long id, ApprovalStatus to, string decidedBy, DateTimeOffset at, string? result, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var update = connection.Command(
            "UPDATE approvals SET status = $to, decided_by = $by, decided_ms = $at, result = $result WHERE id = $id AND status = 'pending'")
            .With("$to", to.ToString().ToLowerInvariant()).With("$by", decidedBy).With("$at", at.ToUnixMs()).With("$result", result).With("$id", id);
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <inheritdoc />
    public async Task SetOutcomeAsync(long id, ApprovalStatus status, string result, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var update = connection.Command("UPDATE approvals SET status = $status, result = $result WHERE id = $id")
            .With("$status", status.ToString().ToLowerInvariant()).With("$result", result).With("$id", id);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Approval Read(SqliteDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
        SqliteCommands.FromUnixMs(reader.GetInt64(6)), SqliteCommands.FromUnixMs(reader.GetInt64(7)),
        Enum.Parse<ApprovalStatus>(reader.GetString(8), ignoreCase: true),
        reader.IsDBNull(9) ? null : reader.GetString(9), reader.FromUnixMs(10), reader.IsDBNull(11) ? null : reader.GetString(11));
}
