using System.Data.Common;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Events;
using Rampart.Privacy.Keys;
using Rampart.Privacy.Requests;
using Rampart.Privacy.Subjects;
using Rampart.Storage;
using Rampart.Storage.Postgres;
using Rampart.Storage.Sqlite;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Privacy.Tests.Events;

/// <summary>
/// Security events' addresses at rest (issue 19 §1), read back from the raw rows on both providers:
/// those written inside audited changes, those inside details, and those of a device before it was
/// linked to a subject are all sealed; erasure leaves the subject's reading "(erased)".
/// </summary>
public sealed class SealedEventAddressTests : IDisposable
{
    private const string Linked = "thermo-1";
    private const string Unlinked = "lock-2";
    private readonly TempDirectory _temp = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Addresses_of_audited_changes_details_and_unlinked_devices_are_sealed_in_the_raw_rows_and_read_erased_after_erasure(string provider)
    {
        string? connectionString = null;
        var sqlitePath = _temp.Sub("events.db");
        await using NodeStores stores = provider == "sqlite"
            ? new SqliteNodeStores(new SqliteDatabase(sqlitePath))
            : new PostgresNodeStores(new PostgresDatabase(connectionString = await PostgresServer.NewDatabaseAsync()));
        await stores.MigrateAsync(CancellationToken.None);
        var keyFolder = KeyFolder.Open(_temp.Sub("keys-" + provider));
        var pseudonyms = new Pseudonyms(keyFolder.PseudonymKey);
        var envelope = new Envelope(keyFolder);
        var directory = new SubjectDirectory();
        var events = new SubjectSealedEventStore(stores.SecurityEvents, directory, new SubjectKeys(stores.Subjects, envelope), pseudonyms);
        await using var audit = new AuditLog(stores.Audit, new AuditSigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)), TimeProvider.System,
            Options.Create(new AuditOptions()), NullLogger<AuditLog>.Instance, events);
        await audit.StartAsync(CancellationToken.None);
        var policy = new PrivacyPolicy(new PrivacyOptions { Regions = new() { ["eu"] = new() } }, pseudonyms);
        var subjects = new SubjectService(stores.Subjects, stores.Devices, audit, envelope, pseudonyms, policy, directory);
        var pseudonym = await subjects.AddAsync("household-1", "eu", null, "test", CancellationToken.None);

        // Before the link: the device's own key.
        await events.AppendAsync(Event("test.before-link", Linked, "198.51.100.10:4000", new() { ["peer"] = "198.51.100.11" }), CancellationToken.None);
        await audit.CommitAsync(async (transaction, commit) =>
        {
            await stores.Subjects.TryLinkDeviceAsync(transaction, pseudonym, Linked, commit);
            return AuditedOutcome<bool>.Done(true, new AuditRecord("test", "privacy.device-linked", "subject/" + pseudonym, AuditOutcome.Success));
        });
        Assert.True(await subjects.ReloadAsync(pseudonym, CancellationToken.None));

        // After it: an event recorded inside an audited change (the audit log's transaction writes it), with addresses in its details.
        await audit.CommitAsync((_, _) => ValueTask.FromResult(AuditedOutcome<bool>.Done(true, new AuditRecord("test", "device.touched", "device/" + Linked, AuditOutcome.Success),
            Event("test.after-link", Linked, "198.51.100.20:5000", new() { ["new-source"] = "198.51.100.21:5001", ["sources"] = "198.51.100.22,198.51.100.23", ["firmware"] = "2.4.1" }))));
        await events.AppendAsync(Event("test.unlinked", Unlinked, "198.51.100.30:6000", new() { ["previous-source"] = "198.51.100.31:6001" }), CancellationToken.None);
        await events.AppendAsync(Event("test.unknown-client", null, "203.0.113.9:7000", []), CancellationToken.None);

        var raw = await RawRowsAsync(provider, sqlitePath, connectionString);
        Assert.Equal(4, raw.Count);
        Assert.All(raw, row => Assert.DoesNotContain("198.51.100.", row, StringComparison.Ordinal));
        Assert.Contains(raw, row => row.Contains("2.4.1", StringComparison.Ordinal));
        Assert.Contains(raw, row => row.Contains("203.0.113.9:7000", StringComparison.Ordinal));

        // Operators read every address opened.
        var read = (await events.ListAsync(null, 10, CancellationToken.None)).ToDictionary(e => e.Event.Source!, e => e.Event);
        Assert.Equal("198.51.100.11", read["198.51.100.10:4000"].Details["peer"]);
        Assert.Equal(("198.51.100.21:5001", "198.51.100.22,198.51.100.23", "2.4.1"),
            (read["198.51.100.20:5000"].Details["new-source"], read["198.51.100.20:5000"].Details["sources"], read["198.51.100.20:5000"].Details["firmware"]));
        Assert.Equal("198.51.100.31:6001", read["198.51.100.30:6000"].Details["previous-source"]);

        // The subject's export opens its own addresses only: the pre-link ones may be another person's.
        var exported = await events.ListForSubjectAsync(Linked, pseudonym, 10, CancellationToken.None);
        Assert.Equal(["198.51.100.20:5000", SubjectSealedEventStore.Withheld], exported.Select(e => e.Event.Source));

        // Erasure destroys the subject's key: a reader that never cached it sees "(erased)".
        var erasure = new SubjectErasure(stores.Subjects, audit, directory);
        await erasure.ExecuteAsync(pseudonym, "alice", "carol", CancellationToken.None);
        var fresh = new SubjectSealedEventStore(stores.SecurityEvents, new SubjectDirectory(), new SubjectKeys(stores.Subjects, envelope), pseudonyms);
        var afterwards = await fresh.ListAsync(Linked, 10, CancellationToken.None);
        var after = afterwards.Single(e => e.Event.Kind == "test.after-link").Event;
        Assert.Equal((SubjectSealedEventStore.Erased, SubjectSealedEventStore.Erased, SubjectSealedEventStore.Erased, "2.4.1"),
            (after.Source, after.Details["new-source"], after.Details["sources"], after.Details["firmware"]));
        Assert.Equal("198.51.100.10:4000", afterwards.Single(e => e.Event.Kind == "test.before-link").Event.Source);
    }

    private static SecurityEvent Event(string kind, string? device, string source, Dictionary<string, string> details) =>
        new(DateTimeOffset.UtcNow, kind, SecuritySeverity.Info, device, source, details);

    // Every row's source and details as the database holds them.
    private static async Task<List<string>> RawRowsAsync(string provider, string sqlitePath, string? connectionString)
    {
        await using DbConnection connection = provider == "sqlite"
            ? new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={sqlitePath};Pooling=False")
            : new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(device_id, '') || ' ' || COALESCE(source, '') || ' ' || details FROM security_events";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
