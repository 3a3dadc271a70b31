using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Operators.Passwords;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Operators;

/// <summary>Operator accounts and invitations in SQLite.</summary>
public sealed class SqliteUserStore(SqliteDatabase database) : IUserStore
{
    private const string Columns = "name, role, sites, zones, password_hash, totp_sealed, activated, disabled, failed_logins, locked_until_ms, last_totp_step, created_ms";

    /// <inheritdoc />
    public async Task<bool> TryPutPendingAsync(OperatorUser user, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var upsert = connection.Command(
            $"INSERT INTO users ({Columns}) VALUES ($name, $role, $sites, $zones, $password, $totp, 0, 0, 0, NULL, 0, $created) " +
            "ON CONFLICT (name) DO UPDATE SET role = excluded.role, sites = excluded.sites, zones = excluded.zones, password_hash = excluded.password_hash, " +
            "totp_sealed = excluded.totp_sealed WHERE users.activated = 0")
            .With("$name", user.Name).With("$role", user.Role).With("$sites", JsonSerializer.Serialize(user.Sites)).With("$zones", JsonSerializer.Serialize(user.Zones))
            .With("$password", user.Password.Encode()).With("$totp", user.SealedTotpSecret).With("$created", user.Created.ToUnixMs());
        return await upsert.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <inheritdoc />
    public async Task<OperatorUser?> GetAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command($"SELECT {Columns} FROM users WHERE name = $name").With("$name", name);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OperatorUser>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command($"SELECT {Columns} FROM users ORDER BY name");
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var users = new List<OperatorUser>();
        while (await reader.ReadAsync(cancellationToken))
        {
            users.Add(Read(reader));
        }

        return users;
    }

    /// <inheritdoc />
    public async Task<bool> AnyAdminAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command("SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND activated = 1 AND disabled = 0)");
        return Convert.ToInt64(await select.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    /// <inheritdoc />
    public async Task ActivateAsync(string name, long totpStep, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var update = connection.Command("UPDATE users SET activated = 1, last_totp_step = $step WHERE name = $name")
            .With("$step", totpStep).With("$name", name);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> RecordLoginAsync(string name, bool success, long totpStep, DateTimeOffset? lockUntil, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var update = success
            ? connection.Command(
                "UPDATE users SET failed_logins = 0, locked_until_ms = NULL, last_totp_step = max(last_totp_step, $step) " +
                "WHERE name = $name AND ($step = 0 OR last_totp_step < $step)").With("$step", totpStep).With("$name", name)
            : connection.Command(
                "UPDATE users SET failed_logins = failed_logins + 1, locked_until_ms = coalesce($lock, locked_until_ms) WHERE name = $name")
                .With("$lock", lockUntil?.ToUnixMs()).With("$name", name);
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <inheritdoc />
    public async Task<bool> DisableAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var update = connection.Command("UPDATE users SET disabled = 1 WHERE name = $name AND disabled = 0").With("$name", name);
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <inheritdoc />
    public async Task SetPasswordAsync(string name, PasswordHash password, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var update = connection.Command("UPDATE users SET password_hash = $hash WHERE name = $name").With("$hash", password.Encode()).With("$name", name);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task AddInvitationAsync(Invitation invitation, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var insert = connection.Command(
            "INSERT INTO invitations (token_hash, user_name, role, sites, zones, invited_by, expires_ms) VALUES ($hash, $user, $role, $sites, $zones, $by, $expires)")
            .With("$hash", invitation.TokenHash).With("$user", invitation.UserName).With("$role", invitation.Role)
            .With("$sites", JsonSerializer.Serialize(invitation.Sites)).With("$zones", JsonSerializer.Serialize(invitation.Zones))
            .With("$by", invitation.InvitedBy).With("$expires", invitation.Expires.ToUnixMs());
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Invitation?> FindInvitationAsync(byte[] tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.Command(
            "SELECT id, token_hash, user_name, role, sites, zones, invited_by, expires_ms FROM invitations WHERE token_hash = $hash AND used_ms IS NULL AND expires_ms > $now")
            .With("$hash", tokenHash).With("$now", now.ToUnixMs());
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Invitation(reader.GetInt64(0), (byte[])reader.GetValue(1), reader.GetString(2), reader.GetString(3), Strings(reader.GetString(4)),
                Strings(reader.GetString(5)), reader.GetString(6), SqliteCommands.FromUnixMs(reader.GetInt64(7)))
            : null;
    }

    /// <inheritdoc />
    public async Task<bool> UseInvitationAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var update = connection.Command("UPDATE invitations SET used_ms = $now WHERE id = $id AND used_ms IS NULL AND expires_ms > $now")
            .With("$now", now.ToUnixMs()).With("$id", id);
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static string[] Strings(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];

    private static OperatorUser Read(SqliteDataReader reader) => new(
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
        SqliteCommands.FromUnixMs(reader.GetInt64(11)));
}
