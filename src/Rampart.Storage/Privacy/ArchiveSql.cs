using System.Data.Common;
using Rampart.Privacy.Archive;
using Rampart.Storage.Migrations;

namespace Rampart.Storage.Privacy;

/// <summary>
/// The telemetry archive's statements, shared by both providers (issue 19 §4). Each region's archive
/// is a database (or PostgreSQL schema) of its own with its own one-step history, so a region's
/// store holds that region's archive and nothing else of the node (§6 residency); the node's
/// migrations never run there. <c>archive_region</c> records whose archive it is.
/// </summary>
internal static class ArchiveSql
{
    public static Migration SqliteSchema { get; } = new(1, "telemetry_archive", """
        CREATE TABLE archive_region (region TEXT PRIMARY KEY) STRICT;
        CREATE TABLE archive_messages (
            id        INTEGER PRIMARY KEY AUTOINCREMENT,
            pseudonym TEXT    NOT NULL,   -- the subject's keyed pseudonym
            device_id TEXT    NOT NULL,
            family    TEXT    NOT NULL,   -- the topic family it was archived under
            time_ms   INTEGER NOT NULL,   -- when the node received it
            sealed    BLOB    NOT NULL    -- AES-256-GCM under the subject's data key: topic and payload
        ) STRICT;
        CREATE INDEX archive_messages_subject ON archive_messages (pseudonym, id);
        CREATE INDEX archive_messages_device ON archive_messages (device_id, id);
        CREATE INDEX archive_messages_time ON archive_messages (time_ms);
        """);

    public static Migration PostgresSchema { get; } = new(1, "telemetry_archive", """
        CREATE TABLE archive_region (region TEXT COLLATE "C" PRIMARY KEY);
        CREATE TABLE archive_messages (
            id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            pseudonym TEXT COLLATE "C" NOT NULL,
            device_id TEXT COLLATE "C" NOT NULL,
            family    TEXT COLLATE "C" NOT NULL,
            time_ms   BIGINT NOT NULL,
            sealed    BYTEA  NOT NULL
        );
        CREATE INDEX archive_messages_subject ON archive_messages (pseudonym, id);
        CREATE INDEX archive_messages_device ON archive_messages (device_id, id);
        CREATE INDEX archive_messages_time ON archive_messages (time_ms);
        """);

    public const string SelectRegion = "SELECT region FROM archive_region";
    public const string InsertRegion = "INSERT INTO archive_region (region) VALUES (@r) ON CONFLICT (region) DO NOTHING";
    public const string DeleteSubject = "DELETE FROM archive_messages WHERE pseudonym = @p";
    public const string DeleteOlder = "DELETE FROM archive_messages WHERE time_ms < @cutoff";
    public const string Count = "SELECT COUNT(*) FROM archive_messages";
    public const string CountOfSubject = "SELECT COUNT(*) FROM archive_messages WHERE pseudonym = @p";

    /// <summary>The read of <paramref name="query"/>: by subject and/or device, in a time range, after an id, in id order.</summary>
    public static (string Sql, (string Name, object? Value)[] Parameters) Read(ArchiveQuery query)
    {
        if (query.Pseudonym is null && query.DeviceId is null)
        {
            throw new ArgumentException("an archive query names a subject or a device", nameof(query));
        }

        var where = new List<string> { "id > @after" };
        var parameters = new List<(string, object?)> { ("after", query.AfterId), ("n", query.Limit) };
        if (query.Pseudonym is { } pseudonym)
        {
            where.Add("pseudonym = @p");
            parameters.Add(("p", pseudonym));
        }

        if (query.DeviceId is { } device)
        {
            where.Add("device_id = @d");
            parameters.Add(("d", device));
        }

        if (query.From is { } from)
        {
            where.Add("time_ms >= @from");
            parameters.Add(("from", from.ToUnixTimeMilliseconds()));
        }

        if (query.To is { } to)
        {
            where.Add("time_ms < @to");
            parameters.Add(("to", to.ToUnixTimeMilliseconds()));
        }

        return ($"SELECT id, pseudonym, device_id, family, time_ms, sealed FROM archive_messages WHERE {string.Join(" AND ", where)} ORDER BY id LIMIT @n", [.. parameters]);
    }

    public static StoredArchiveRow Row(DbDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), (byte[])reader.GetValue(5));

    /// <summary>Refuses a store that holds another region's archive (a mistyped path must not mix regions).</summary>
    public static void CheckRegion(IReadOnlyList<string> recorded, string region, string target)
    {
        if (recorded.Count > 0 && !recorded.Contains(region, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"the archive store {target} holds region {string.Join(",", recorded)}'s archive, not region {region}'s (Rampart:Privacy:Archive:Stores)");
        }
    }
}
