using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rampart.Fleet.Operators;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Operators;

/// <summary>API tokens (hashes) in SQLite.</summary>
public sealed class SqliteApiTokenStore(SqliteDatabase database) : IApiTokenStore
{
    private const string Columns = "id, user_name, name, token_hash, scopes, created_ms, expires_ms, revoked_ms";

    /// <inheritdoc />
    public async Task<long> AddAsync(ApiTokenRecord token, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var insert = connection.Command(
            "INSERT INTO api_tokens (user_name, name, token_hash, scopes, created_ms, expires_ms) VALUES ($user, $name, $hash, $scopes, $created, $expires) RETURNING id")
            .With("$user", token.UserName).With("$name", token.Name).With("$hash", token.TokenHash).With("$scopes", JsonSerializer.Serialize(token.Scopes))
            .With("$created", token.Created.ToUnixMs()).With("$expires", token.Expires.ToUnixMs());
        return (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <inheritdoc />
    public Task<ApiTokenRecord?> FindByHashAsync(byte[] tokenHash, CancellationToken cancellationToken) =>
        SingleAsync($"SELECT {Columns} FROM api_tokens WHERE token_hash = $p", tokenHash, cancellationToken);

    /// <inheritdoc />
    public Task<ApiTokenRecord?> GetAsync(long id, CancellationToken cancellationToken) =>
        SingleAsync($"SELECT {Columns} FROM api_tokens WHERE id = $p", id, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiTokenRecord>> ListAsync(string userName, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command($"SELECT {Columns} FROM api_tokens WHERE user_name = $user ORDER BY id DESC LIMIT 1000").With("$user", userName);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var list = new List<ApiTokenRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    /// <inheritdoc />
    public async Task<bool> RevokeAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var update = connection.Command("UPDATE api_tokens SET revoked_ms = $now WHERE id = $id AND revoked_ms IS NULL").With("$now", now.ToUnixMs()).With("$id", id);
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<ApiTokenRecord?> SingleAsync(string sql, object parameter, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command(sql).With("$p", parameter);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static ApiTokenRecord Read(SqliteDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetString(2), (byte[])reader.GetValue(3),
        JsonSerializer.Deserialize<string[]>(reader.GetString(4)) ?? [],
        SqliteCommands.FromUnixMs(reader.GetInt64(5)), SqliteCommands.FromUnixMs(reader.GetInt64(6)), reader.FromUnixMs(7));
}
