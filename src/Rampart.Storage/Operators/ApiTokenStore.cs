using System.Data.Common;
using System.Text.Json;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Operators;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Operators;

/// <summary>API tokens (hashes), on either provider.</summary>
public sealed class ApiTokenStore(IStoreDatabase database) : IApiTokenStore
{
    private const string Columns = "id, user_name, name, token_hash, scopes, created_ms, expires_ms, revoked_ms";

    /// <inheritdoc />
    public async Task<long> AddAsync(IStoreTransaction transaction, ApiTokenRecord token, CancellationToken cancellationToken) =>
        (long)(await transaction.ScalarAsync(
            "INSERT INTO api_tokens (user_name, name, token_hash, scopes, created_ms, expires_ms) VALUES (@user, @name, @hash, @scopes, @created, @expires) RETURNING id",
            cancellationToken,
            ("user", token.UserName), ("name", token.Name), ("hash", token.TokenHash), ("scopes", JsonSerializer.Serialize(token.Scopes)),
            ("created", token.Created.ToUnixMs()), ("expires", token.Expires.ToUnixMs())))!;

    /// <inheritdoc />
    public Task<ApiTokenRecord?> FindByHashAsync(byte[] tokenHash, CancellationToken cancellationToken) =>
        database.QuerySingleAsync($"SELECT {Columns} FROM api_tokens WHERE token_hash = @p", Read, cancellationToken, ("p", tokenHash));

    /// <inheritdoc />
    public Task<ApiTokenRecord?> GetAsync(long id, CancellationToken cancellationToken) =>
        database.QuerySingleAsync($"SELECT {Columns} FROM api_tokens WHERE id = @p", Read, cancellationToken, ("p", id));

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiTokenRecord>> ListAsync(string userName, CancellationToken cancellationToken) =>
        await database.QueryAsync($"SELECT {Columns} FROM api_tokens WHERE user_name = @user ORDER BY id DESC LIMIT 1000", Read, cancellationToken, ("user", userName));

    /// <inheritdoc />
    public async Task<bool> RevokeAsync(IStoreTransaction transaction, long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync("UPDATE api_tokens SET revoked_ms = @now WHERE id = @id AND revoked_ms IS NULL", cancellationToken,
            ("now", now.ToUnixMs()), ("id", id)) == 1;

    private static ApiTokenRecord Read(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetString(2), (byte[])reader.GetValue(3),
        JsonSerializer.Deserialize<string[]>(reader.GetString(4)) ?? [],
        DbCommands.FromUnixMs(reader.GetInt64(5)), DbCommands.FromUnixMs(reader.GetInt64(6)), reader.FromUnixMs(7));
}
