using Microsoft.Data.Sqlite;
using Rampart.Storage.Sqlite;

namespace Rampart.Testing.Crash;

/// <summary>
/// What must hold in a node's database after any kill (issue 13, "Crash safety everywhere"): no
/// state without its audit entry, no audit entry without its state, nothing acknowledged lost.
/// Read straight from the file, as an auditor would, with the node stopped.
/// </summary>
public static class CrashInvariants
{
    // Each query names the rows that break one invariant; every one must return nothing.
    private static readonly (string Invariant, string Query)[] _checks =
    [
        ("every device or service certificate has its certificate.issued audit entry",
            "SELECT serial FROM certificates c WHERE profile IN ('device', 'service') AND NOT EXISTS " +
            "(SELECT 1 FROM audit_entries a WHERE a.action = 'certificate.issued' AND a.target = 'certificate/' || c.serial)"),
        ("every certificate.issued audit entry has its certificate",
            "SELECT target FROM audit_entries a WHERE action = 'certificate.issued' AND NOT EXISTS " +
            "(SELECT 1 FROM certificates c WHERE 'certificate/' || c.serial = a.target)"),
        ("every device certificate has its certificate.issued security event",
            "SELECT serial FROM certificates c WHERE profile = 'device' AND NOT EXISTS " +
            "(SELECT 1 FROM security_events e WHERE e.kind = 'certificate.issued' AND json_extract(e.details, '$.serial') = c.serial)"),
        ("every spent bootstrap token has a certificate for its device",
            "SELECT id FROM bootstrap_tokens t WHERE used_ms IS NOT NULL AND NOT EXISTS " +
            "(SELECT 1 FROM certificates c WHERE c.profile = 'device' AND c.subject = t.device_id)"),
        ("every device that enrolled is no longer registered",
            "SELECT id FROM devices d WHERE state = 'registered' AND EXISTS (SELECT 1 FROM certificates c WHERE c.profile = 'device' AND c.subject = d.id)"),
        ("every active device has a certificate",
            "SELECT id FROM devices d WHERE state = 'active' AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.profile = 'device' AND c.subject = d.id)"),
        ("every device has its device.added audit entry",
            "SELECT id FROM devices d WHERE NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.action = 'device.added' AND a.target = 'device/' || d.id)"),
        ("every bootstrap token has its bootstrap-token.issued audit entry",
            "SELECT id FROM bootstrap_tokens t WHERE NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.action = 'bootstrap-token.issued' " +
            "AND a.target = 'device/' || t.device_id AND json_extract(a.details, '$.token-id') = CAST(t.id AS TEXT))"),
        ("every device has at most one usable bootstrap token",
            "SELECT device_id FROM bootstrap_tokens WHERE used_ms IS NULL AND revoked_ms IS NULL GROUP BY device_id HAVING COUNT(*) > 1"),
        ("every revoked certificate has its certificate.revoked audit entry",
            "SELECT serial FROM certificates c WHERE revoked_ms IS NOT NULL AND NOT EXISTS " +
            "(SELECT 1 FROM audit_entries a WHERE a.action = 'certificate.revoked' AND a.target = 'certificate/' || c.serial)"),
        ("every retired device has its device.retired audit entry",
            "SELECT id FROM devices d WHERE state = 'retired' AND NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.action = 'device.retired' AND a.target = 'device/' || d.id)"),
        ("no retired device keeps an unrevoked certificate",
            "SELECT serial FROM certificates c JOIN devices d ON c.profile = 'device' AND c.subject = d.id WHERE d.state = 'retired' AND c.revoked_ms IS NULL"),
        ("no retired device keeps a usable bootstrap token",
            "SELECT t.id FROM bootstrap_tokens t JOIN devices d ON t.device_id = d.id WHERE d.state = 'retired' AND t.used_ms IS NULL AND t.revoked_ms IS NULL"),
        ("every quarantined device has a device.quarantined audit entry",
            "SELECT id FROM devices d WHERE state = 'quarantined' AND NOT EXISTS " +
            "(SELECT 1 FROM audit_entries a WHERE a.action = 'device.quarantined' AND a.target = 'device/' || d.id)"),
        ("every setup token has its issued or rotated audit entry",
            "SELECT id FROM setup_tokens s WHERE NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.action IN ('setup-token.issued', 'setup-token.rotated') " +
            "AND a.target = 'setup-token/' || s.id)"),
        ("every invitation has its user.invited audit entry",
            "SELECT user_name FROM invitations i GROUP BY user_name HAVING COUNT(*) > " +
            "(SELECT COUNT(*) FROM audit_entries a WHERE a.action = 'user.invited' AND a.target = 'user/' || i.user_name)"),
        ("every spent invitation has its activated account",
            "SELECT i.id FROM invitations i WHERE used_ms IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.name = i.user_name AND u.activated = 1)"),
        ("every activated account has its user.activated audit entry",
            "SELECT name FROM users u WHERE activated = 1 AND NOT EXISTS " +
            "(SELECT 1 FROM audit_entries a WHERE a.action = 'user.activated' AND a.outcome = 'success' AND a.target = 'user/' || u.name)"),
        ("every API token has its token.created audit entry",
            "SELECT id FROM api_tokens t WHERE NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.action = 'token.created' AND a.target = 'token/' || t.id)"),
        ("every revoked API token has its token.revoked audit entry",
            "SELECT id FROM api_tokens t WHERE revoked_ms IS NOT NULL AND NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.action = 'token.revoked' AND a.target = 'token/' || t.id)"),
        .. CrashUpdateInvariants.Checks,
    ];

    /// <summary>Every violation found, as readable lines; empty when all hold.</summary>
    public static async Task<IReadOnlyList<string>> CheckAsync(string databasePath, CrashLedger ledger)
    {
        var violations = new List<string>();
        try
        {
            await using var connection = await new SqliteDatabase(databasePath, readOnly: true).OpenAsync();
            foreach (var (invariant, query) in _checks)
            {
                var rows = await ColumnAsync(connection, query);
                if (rows.Count > 0)
                {
                    violations.Add($"{invariant}: broken by {string.Join(", ", rows.Take(5))}{(rows.Count > 5 ? $" and {rows.Count - 5} more" : string.Empty)}");
                }
            }

            // Nothing acknowledged is lost.
            var devices = (await RowsAsync(connection, "SELECT id, state FROM devices")).ToDictionary(row => row[0], row => row[1], StringComparer.Ordinal);
            var certificates = (await RowsAsync(connection, "SELECT serial, subject, revoked_ms IS NOT NULL FROM certificates"))
                .ToDictionary(row => row[0], row => (Subject: row[1], Revoked: row[2] == "1"), StringComparer.OrdinalIgnoreCase);
            var quarantines = (await ColumnAsync(connection, "SELECT DISTINCT target FROM audit_entries WHERE action = 'device.quarantined'")).ToHashSet(StringComparer.Ordinal);
            var reissued = (await ColumnAsync(connection,
                "SELECT target FROM audit_entries WHERE action = 'bootstrap-token.issued' GROUP BY target HAVING COUNT(*) > 1")).ToHashSet(StringComparer.Ordinal);
            var setupTokens = (await ColumnAsync(connection, "SELECT COUNT(*) FROM audit_entries WHERE action = 'setup-token.rotated'"))[0];
            Lost(violations, "added device", ledger.Added.Where(id => !devices.ContainsKey(id)));
            Lost(violations, "issued certificate", ledger.Issued.Where(issued => !certificates.TryGetValue(issued.Serial, out var row) || row.Subject != issued.Device).Select(i => i.Serial));
            Lost(violations, "revocation", ledger.Revoked.Where(serial => !certificates.TryGetValue(serial, out var row) || !row.Revoked));
            Lost(violations, "retirement", ledger.Retired.Where(id => devices.GetValueOrDefault(id) != "retired"));
            Lost(violations, "quarantine", ledger.Quarantined.Where(id => !quarantines.Contains("device/" + id)));
            Lost(violations, "reissued bootstrap token", ledger.Reissued.Where(id => !reissued.Contains("device/" + id)));
            var activated = (await ColumnAsync(connection, "SELECT name FROM users WHERE activated = 1")).ToHashSet(StringComparer.Ordinal);
            var loggedOut = (await ColumnAsync(connection, "SELECT DISTINCT user_name FROM api_tokens WHERE revoked_ms IS NOT NULL")).ToHashSet(StringComparer.Ordinal);
            Lost(violations, "operator activation", ledger.Activated.Where(name => !activated.Contains(name)));
            Lost(violations, "logout", ledger.Sessions.Where(session => session.LoggedOut && !loggedOut.Contains(session.User)).Select(session => session.User));
            var releases = (await ColumnAsync(connection, "SELECT id FROM releases")).ToHashSet(StringComparer.Ordinal);
            Lost(violations, "release", ledger.Releases.Where(id => !releases.Contains(id)));
            var production = (await ColumnAsync(connection, "SELECT id FROM releases WHERE status = 'production'")).ToHashSet(StringComparer.Ordinal);
            Lost(violations, "promotion", ledger.Promoted.Where(id => !production.Contains(id)));
            var rollouts = (await RowsAsync(connection, "SELECT id, state FROM rollouts")).ToDictionary(row => long.Parse(row[0], System.Globalization.CultureInfo.InvariantCulture), row => row[1]);
            Lost(violations, "rollout", ledger.Rollouts.Keys.Where(id => !rollouts.ContainsKey(id)).Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Lost(violations, "rollout state change", ledger.Rollouts
                .Where(pair => rollouts.TryGetValue(pair.Key, out var state) && state != pair.Value.Last && state != pair.Value.Asked)
                .Select(pair => $"rollout {pair.Key} is {rollouts[pair.Key]}, acknowledged {pair.Value.Last}"));
            if (long.Parse(setupTokens, System.Globalization.CultureInfo.InvariantCulture) < ledger.SetupTokens.Count)
            {
                violations.Add($"acknowledged setup-token rotations lost: {ledger.SetupTokens.Count} acknowledged, {setupTokens} audited");
            }
        }
        finally
        {
            // Release the file before the node opens it again.
            SqliteConnection.ClearAllPools();
        }

        return violations;
    }

    private static void Lost(List<string> violations, string what, IEnumerable<string> lost)
    {
        var list = lost.ToList();
        if (list.Count > 0)
        {
            violations.Add($"acknowledged {what} lost: {string.Join(", ", list.Take(5))}{(list.Count > 5 ? $" and {list.Count - 5} more" : string.Empty)}");
        }
    }

    private static async Task<List<string>> ColumnAsync(SqliteConnection connection, string sql) =>
        (await RowsAsync(connection, sql)).Select(row => row[0]).ToList();

    private static async Task<List<string[]>> RowsAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
        {
            var row = new string[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
            }

            rows.Add(row);
        }

        return rows;
    }
}
