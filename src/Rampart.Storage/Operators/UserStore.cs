using System.Data.Common;
using System.Text.Json;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Operators.Passwords;
using Rampart.Fleet.Operators;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Operators;

/// <summary>Operator accounts and invitations, on either provider.</summary>
public sealed class UserStore(IStoreDatabase database) : IUserStore
{
    private const string Columns = "name, role, sites, zones, password_hash, totp_sealed, activated, disabled, failed_logins, locked_until_ms, last_totp_step, created_ms";

    /// <inheritdoc />
    public async Task<bool> TryPutPendingAsync(IStoreTransaction transaction, OperatorUser user, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(
            $"INSERT INTO users ({Columns}) VALUES (@name, @role, @sites, @zones, @password, @totp, 0, 0, 0, NULL, 0, @created) " +
            "ON CONFLICT (name) DO UPDATE SET role = excluded.role, sites = excluded.sites, zones = excluded.zones, password_hash = excluded.password_hash, " +
            "totp_sealed = excluded.totp_sealed WHERE users.activated = 0",
            cancellationToken,
            ("name", user.Name), ("role", user.Role), ("sites", JsonSerializer.Serialize(user.Sites)), ("zones", JsonSerializer.Serialize(user.Zones)),
            ("password", user.Password.Encode()), ("totp", user.SealedTotpSecret), ("created", user.Created.ToUnixMs())) == 1;

    /// <inheritdoc />
    public Task<OperatorUser?> GetAsync(string name, CancellationToken cancellationToken) =>
        database.QuerySingleAsync($"SELECT {Columns} FROM users WHERE name = @name", Read, cancellationToken, ("name", name));

    /// <inheritdoc />
    public async Task<IReadOnlyList<OperatorUser>> ListAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync($"SELECT {Columns} FROM users ORDER BY name", Read, cancellationToken);

    /// <inheritdoc />
    public async Task<bool> AnyAdminAsync(CancellationToken cancellationToken) =>
        Convert.ToInt64(await database.ScalarAsync("SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND activated = 1 AND disabled = 0)", cancellationToken),
            System.Globalization.CultureInfo.InvariantCulture) == 1;

    /// <inheritdoc />
    public Task ActivateAsync(IStoreTransaction transaction, string name, long totpStep, CancellationToken cancellationToken) =>
        transaction.ExecuteAsync("UPDATE users SET activated = 1, last_totp_step = @step WHERE name = @name", cancellationToken, ("step", totpStep), ("name", name));

    /// <inheritdoc />
    public async Task<bool> RecordLoginAsync(IStoreTransaction transaction, string name, bool success, long totpStep, DateTimeOffset? lockUntil, CancellationToken cancellationToken) =>
        await (success
            ? transaction.ExecuteAsync(
                $"UPDATE users SET failed_logins = 0, locked_until_ms = NULL, last_totp_step = {transaction.Dialect().Greatest("last_totp_step", "@step")} " +
                "WHERE name = @name AND (@step = 0 OR last_totp_step < @step)", cancellationToken, ("step", totpStep), ("name", name))
            : transaction.ExecuteAsync(
                "UPDATE users SET failed_logins = failed_logins + 1, locked_until_ms = coalesce(@lock, locked_until_ms) WHERE name = @name",
                cancellationToken, ("lock", lockUntil?.ToUnixMs()), ("name", name))) == 1;

    /// <inheritdoc />
    public async Task<bool> ReplacePasswordAsync(IStoreTransaction transaction, string name, string expected, PasswordHash replacement, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync("UPDATE users SET password_hash = @replacement WHERE name = @name AND password_hash = @expected", cancellationToken,
            ("replacement", replacement.Encode()), ("name", name), ("expected", expected)) == 1;

    /// <inheritdoc />
    public async Task<bool> DisableAsync(IStoreTransaction transaction, string name, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync("UPDATE users SET disabled = 1 WHERE name = @name AND disabled = 0", cancellationToken, ("name", name)) == 1;

    /// <inheritdoc />
    public Task AddInvitationAsync(IStoreTransaction transaction, Invitation invitation, CancellationToken cancellationToken) =>
        transaction.ExecuteAsync(
            "INSERT INTO invitations (token_hash, user_name, role, sites, zones, invited_by, expires_ms) VALUES (@hash, @user, @role, @sites, @zones, @by, @expires)",
            cancellationToken,
            ("hash", invitation.TokenHash), ("user", invitation.UserName), ("role", invitation.Role), ("sites", JsonSerializer.Serialize(invitation.Sites)),
            ("zones", JsonSerializer.Serialize(invitation.Zones)), ("by", invitation.InvitedBy), ("expires", invitation.Expires.ToUnixMs()));

    /// <inheritdoc />
    public Task<Invitation?> FindInvitationAsync(byte[] tokenHash, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.QuerySingleAsync(
            $"SELECT {InvitationColumns} FROM invitations WHERE token_hash = @hash AND used_ms IS NULL AND expires_ms > @now",
            ReadInvitation, cancellationToken, ("hash", tokenHash), ("now", now.ToUnixMs()));

    /// <inheritdoc />
    public async Task<IReadOnlyList<Invitation>> PendingInvitationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            $"SELECT {InvitationColumns} FROM invitations WHERE used_ms IS NULL AND expires_ms > @now ORDER BY expires_ms, id LIMIT @n",
            ReadInvitation, cancellationToken, ("now", now.ToUnixMs()), ("n", limit));

    /// <inheritdoc />
    public async Task<Invitation?> RevokeInvitationAsync(IStoreTransaction transaction, long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await transaction.QueryAsync(
            $"DELETE FROM invitations WHERE id = @id AND used_ms IS NULL AND expires_ms > @now RETURNING {InvitationColumns}",
            ReadInvitation, cancellationToken, ("id", id), ("now", now.ToUnixMs()))).FirstOrDefault();

    /// <inheritdoc />
    public async Task<bool> UseInvitationAsync(IStoreTransaction transaction, long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync("UPDATE invitations SET used_ms = @now WHERE id = @id AND used_ms IS NULL AND expires_ms > @now", cancellationToken,
            ("now", now.ToUnixMs()), ("id", id)) == 1;

    private const string InvitationColumns = "id, token_hash, user_name, role, sites, zones, invited_by, expires_ms";

    private static Invitation ReadInvitation(DbDataReader reader) =>
        new(reader.GetInt64(0), (byte[])reader.GetValue(1), reader.GetString(2), reader.GetString(3), Strings(reader.GetString(4)),
            Strings(reader.GetString(5)), reader.GetString(6), DbCommands.FromUnixMs(reader.GetInt64(7)));

    private static string[] Strings(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];

    private static OperatorUser Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        Strings(reader.GetString(2)),
        Strings(reader.GetString(3)),
        PasswordHash.Decode(reader.GetString(4)),
        reader.IsDBNull(5) ? null : (byte[])reader.GetValue(5),
        reader.GetInt64(6) == 1,
        reader.GetInt64(7) == 1,
        reader.GetInt32(8),
        reader.FromUnixMs(9),
        reader.GetInt64(10),
        DbCommands.FromUnixMs(reader.GetInt64(11)));
}
