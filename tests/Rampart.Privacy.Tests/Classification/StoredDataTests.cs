using Microsoft.Data.Sqlite;
using Rampart.Privacy.Classification;
using Rampart.Storage.Sqlite;
using Rampart.Testing;

namespace Rampart.Privacy.Tests.Classification;

public sealed class StoredDataTests
{
    // The tables of migrations 0001–0006 and 0009 as this project knows them; tables another
    // capability adds later show in the inventory as unclassified until they are classified too.
    private static readonly string[] Known =
    [
        "alerts", "api_tokens", "approvals", "audit_checkpoints", "audit_entries", "bootstrap_tokens", "certificates", "crls", "detection_rules",
        "device_firmware", "devices", "export_cursors", "export_destinations", "export_outbox", "invitations", "node_settings", "privacy_consents",
        "privacy_retention", "privacy_subject_devices", "privacy_subject_keys", "privacy_subjects", "releases", "rollout_devices", "rollouts",
        "schema_migrations", "security_events", "setup_tokens", "users", "vendor_trust",
    ];

    [Fact]
    public async Task Every_column_of_the_migrated_schema_is_classified_once_with_a_purpose_and_a_retention()
    {
        using var temp = new TempDirectory();
        var stores = new SqliteNodeStores(new SqliteDatabase(temp.Sub("rampart.db")));
        await stores.MigrateAsync(CancellationToken.None);
        var columns = await stores.StoredColumns.ColumnsAsync(CancellationToken.None);

        // The telemetry archive lives in each region's own store, with its own schema: its columns come from one.
        var archivePath = temp.Sub("archive-eu.db");
        await using (await Rampart.Storage.Privacy.ArchiveStore.OpenSqliteAsync(archivePath, "eu", CancellationToken.None))
        {
            await using var connection = new SqliteConnection($"Data Source={archivePath}");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name LIKE 'archive_%'";
            await using var reader = await command.ExecuteReaderAsync();
            var archiveColumns = new List<(string, string)>();
            while (await reader.ReadAsync())
            {
                archiveColumns.Add((reader.GetString(0), reader.GetString(1)));
            }

            Assert.Equal(7, archiveColumns.Count);
            columns = [.. columns, .. archiveColumns];
        }

        SqliteConnection.ClearAllPools();

        var classified = StoredData.Fields.Select(f => (f.Store, f.Field)).ToList();
        var missing = columns.Where(c => Known.Contains(c.Table) && !classified.Contains(c)).Select(c => $"{c.Table}.{c.Column}").ToArray();
        var stale = classified.Where(c => !columns.Contains(c)).Select(c => $"{c.Store}.{c.Field}").ToArray();

        Assert.True(missing.Length == 0, "unclassified: " + string.Join(", ", missing));
        Assert.True(stale.Length == 0, "classified but not stored: " + string.Join(", ", stale));
        Assert.Equal(classified.Count, classified.Distinct().Count());
        Assert.All(StoredData.Fields, f => Assert.False(string.IsNullOrWhiteSpace(f.Purpose) || string.IsNullOrWhiteSpace(f.Retention), $"{f.Store}.{f.Field}"));
        Assert.Equal(DataClass.Personal, StoredData.Fields.Single(f => f is { Store: "security_events", Field: "source" }).Class);
    }

    [Fact]
    public void A_topic_is_classified_by_its_longest_family_and_a_non_device_topic_by_none()
    {
        var classifier = new TopicClassifier([.. TopicFamily.BuiltIn, new TopicFamily("location", "telemetry/location", DataClass.Sensitive, "where")]);

        Assert.Equal("location", classifier.Classify("devices/d1/telemetry/location/gps", out var device)?.Name);
        Assert.Equal("d1", "devices/d1/telemetry/location/gps"[device]);
        Assert.Equal("telemetry", classifier.Classify("devices/d1/telemetry/locations", out _)?.Name);
        Assert.Equal("telemetry", classifier.Classify("devices/d1/telemetry", out _)?.Name);
        Assert.Null(classifier.Classify("devices/d1/commands/reboot", out _));
        Assert.Null(classifier.Classify("$SYS/broker", out _));
        Assert.Null(classifier.Classify("devices//telemetry", out _));
    }
}
