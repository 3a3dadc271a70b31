using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Privacy;
using Rampart.Privacy.Archive;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Keys;
using Rampart.Privacy.Requests;
using Rampart.Privacy.Retention;
using Rampart.Privacy.Subjects;
using Rampart.Storage.Privacy;
using Rampart.Testing;

namespace Rampart.Storage.Tests.Contracts;

// The archive's contract once per provider (its own list: Providers.cs belongs to the storage refactoring this stop).
public sealed class SqliteArchiveStoreTests : ArchiveStoreContract<SqliteProvider>;

public sealed class PostgresArchiveStoreTests : ArchiveStoreContract<PostgresProvider>;

/// <summary>
/// The telemetry archive (issue 19 §4), the same on every provider: one store per region (a SQLite
/// file beside the node's, or a schema of the PostgreSQL database), driven through the archive the
/// node runs, with real subjects, keys and audit log.
/// </summary>
public abstract class ArchiveStoreContract<TProvider> : StoreContract<TProvider>, IDisposable
    where TProvider : IStoreProvider, new()
{
    private const string AliceSecret = "Alice Example at 52.520008";
    private readonly TempDirectory _keys = new();
    private readonly PrivacyOptions _options = new()
    {
        Regions = new() { ["eu"] = new() { Sites = ["berlin"] }, ["us"] = new() { Sites = ["ohio"] } },
        Archive = new() { Families = ["telemetry"], BatchSize = 2 },
        Retention = new() { ["archive"] = 1 },
    };

    private readonly SubjectDirectory _directory = new();
    private readonly ArchiveRegions _regions = new();
    private KeyFolder? _folder;

    private KeyFolder Keys => _folder ??= KeyFolder.Open(_keys.Sub("keys"));

    public void Dispose() => _keys.Dispose();

    private SubjectService Subjects()
    {
        var pseudonyms = new Pseudonyms(Keys.PseudonymKey);
        return new SubjectService(Stores.Subjects, Stores.Devices, Audit, new Envelope(Keys), pseudonyms, new PrivacyPolicy(_options, pseudonyms), _directory);
    }

    private Task<IArchiveStore> OpenStoreAsync(string region, ArchiveStoreOptions? options = null) =>
        ArchiveStoreFactory.OpenAsync(region, options, Stores.Provider, Path.GetDirectoryName(Stores.Target) ?? _keys.Path,
            (Provider as PostgresProvider)?.ConnectionString, CancellationToken.None);

    private async Task<TelemetryArchive> ArchiveAsync()
    {
        _regions.Add(await OpenStoreAsync("eu"));
        _regions.Add(await OpenStoreAsync("us"));
        var pseudonyms = new Pseudonyms(Keys.PseudonymKey);
        return new TelemetryArchive(_regions, new PrivacyPolicy(_options, pseudonyms), _directory, new SubjectKeys(Stores.Subjects, new Envelope(Keys)), _options, Clock, NullLogger<TelemetryArchive>.Instance);
    }

    private async Task<(string Alice, string Bob)> TwoSubjectsAsync()
    {
        await AuditedAsync(transaction => Stores.Devices.TryAddAsync(transaction, AuditChainContract<TProvider>.NewDevice("thermo-eu", "berlin"), CancellationToken.None));
        await AuditedAsync(transaction => Stores.Devices.TryAddAsync(transaction, AuditChainContract<TProvider>.NewDevice("thermo-us", "ohio"), CancellationToken.None));
        var subjects = Subjects();
        var alice = await subjects.AddAsync("alice", "eu", null, "op", CancellationToken.None);
        await subjects.LinkDeviceAsync("alice", "thermo-eu", "op", CancellationToken.None);
        var bob = await subjects.AddAsync("bob", "us", null, "op", CancellationToken.None);
        await subjects.LinkDeviceAsync("bob", "thermo-us", "op", CancellationToken.None);
        return (alice, bob);
    }

    private static MqttMessage Message(string topic, string payload) =>
        new(topic, Encoding.UTF8.GetBytes(payload), MqttQualityOfService.AtMostOnce, false, MqttProperties.Empty, "c", null, "device:c");

    private static async Task<List<ArchivedMessage>> ReadAllAsync(TelemetryArchive archive, string region, ArchiveQuery query) =>
        await archive.ReadAsync(region, query, CancellationToken.None).ToListAsync();

    [Fact]
    public async Task A_subject_s_telemetry_is_sealed_into_its_own_region_s_store_only_and_reads_back_per_device_and_time_range()
    {
        var (alice, bob) = await TwoSubjectsAsync();
        var archive = await ArchiveAsync();
        using var stop = new CancellationTokenSource();
        var writer = archive.RunAsync(stop.Token);
        var first = Clock.GetUtcNow();

        archive.Offer(Message("devices/thermo-eu/telemetry/temp", $$"""{"t":21.5,"note":"{{AliceSecret}}"}"""));
        Clock.Advance(TimeSpan.FromHours(1));
        archive.Offer(Message("devices/thermo-eu/telemetry/temp", """{"t":22.0}"""));
        archive.Offer(Message("devices/thermo-us/telemetry/temp", """{"t":70.1}"""));
        archive.Offer(Message("devices/thermo-eu/events/boot", """{"boot":1}"""));
        archive.Offer(Message("devices/stranger/telemetry/temp", """{"t":1}"""));
        await Eventually.HoldsAsync(() => Task.FromResult(archive.Counters.Archived == 3), "three messages archived");

        Assert.Equal((1L, 0L, 0L), (archive.Counters.Unowned, archive.Counters.Dropped, archive.Counters.Failed));
        Assert.Equal(new Dictionary<string, long> { ["eu"] = 2, ["us"] = 1 }, await archive.HeldAsync(CancellationToken.None));
        Assert.Empty(await _regions.For("us")!.ReadAsync(new ArchiveQuery(alice, null, null, null, 0, 10), CancellationToken.None));
        var byAlice = await ReadAllAsync(archive, "eu", new ArchiveQuery(alice, null, null, null, 0, 10));
        Assert.Equal(["devices/thermo-eu/telemetry/temp", "devices/thermo-eu/telemetry/temp"], byAlice.Select(m => m.Topic));
        Assert.Contains(AliceSecret, Encoding.UTF8.GetString(byAlice[0].Payload), StringComparison.Ordinal);
        var later = await ReadAllAsync(archive, "eu", new ArchiveQuery(null, "thermo-eu", first.AddMinutes(30), first.AddHours(2), 0, 10));
        Assert.Equal("""{"t":22.0}""", Encoding.UTF8.GetString(Assert.Single(later).Payload));
        var paged = await ReadAllAsync(archive, "eu", new ArchiveQuery(alice, null, null, null, byAlice[0].Id, 10));
        Assert.Equal([byAlice[1].Id], paged.Select(m => m.Id));
        Assert.Equal("thermo-us", Assert.Single(await ReadAllAsync(archive, "us", new ArchiveQuery(bob, null, null, null, 0, 10))).DeviceId);

        // At rest: sealed, and bound to its subject, device and time.
        var row = (await _regions.For("eu")!.ReadAsync(new ArchiveQuery(alice, null, null, null, 0, 1), CancellationToken.None)).Single();
        Assert.True(row.Sealed.AsSpan().IndexOf(Encoding.UTF8.GetBytes(AliceSecret)) < 0);
        Assert.True(row.Sealed.AsSpan().IndexOf("thermo-eu"u8) < 0);
        var dataKey = new Envelope(Keys).Unwrap((await Stores.Subjects.GetKeyAsync(alice, CancellationToken.None))!, alice);
        Assert.Equal(byAlice[0].Payload, ArchiveSealing.Open(dataKey, row).Payload);
        Assert.ThrowsAny<CryptographicException>(() => ArchiveSealing.Open(dataKey, row with { DeviceId = "thermo-us" }));
        Assert.ThrowsAny<CryptographicException>(() => ArchiveSealing.Open(dataKey, row with { Time = row.Time.AddSeconds(1) }));
        Assert.ThrowsAny<CryptographicException>(() => ArchiveSealing.Open(dataKey, row with { Pseudonym = bob }));

        await stop.CancelAsync();
        await writer;
        await _regions.DisposeAsync();
    }

    [Fact]
    public async Task Erasure_destroys_the_key_then_deletes_the_subject_s_archive_and_retention_expires_old_messages()
    {
        var (alice, bob) = await TwoSubjectsAsync();
        var archive = await ArchiveAsync();
        using var stop = new CancellationTokenSource();
        var writer = archive.RunAsync(stop.Token);
        archive.Offer(Message("devices/thermo-eu/telemetry/temp", "1"));
        archive.Offer(Message("devices/thermo-eu/telemetry/temp", "2"));
        archive.Offer(Message("devices/thermo-us/telemetry/temp", "old"));
        await Eventually.HoldsAsync(() => Task.FromResult(archive.Counters.Archived == 3), "three messages archived");

        var result = await new SubjectErasure(Stores.Subjects, Audit, _directory, archive).ExecuteAsync(alice, "alice-requester", "carol", CancellationToken.None);

        Assert.Contains("2 archived messages deleted", result, StringComparison.Ordinal);
        Assert.Equal(0, await _regions.For("eu")!.CountAsync(alice, CancellationToken.None));
        Assert.Empty(await ReadAllAsync(archive, "eu", new ArchiveQuery(alice, null, null, null, 0, 10)));
        var erased = (await Stores.Audit.ReadEntriesAsync(1, CancellationToken.None).ToListAsync()).Single(e => e.Action == "privacy.archive-erased");
        Assert.Equal(("carol", "subject/" + alice), (erased.Actor, erased.Target));
        Assert.True((await VerifyAsync()).IsIntact);

        // The erased subject's device belongs to no subject any more: nothing of it is archived.
        archive.Offer(Message("devices/thermo-eu/telemetry/temp", "late"));
        Clock.Advance(TimeSpan.FromDays(2));
        archive.Offer(Message("devices/thermo-us/telemetry/temp", "new"));
        await Eventually.HoldsAsync(() => Task.FromResult(archive.Counters.Archived == 4), "bob's new message archived");
        var job = new RetentionJob(new RetentionPolicy(Stores.Retention, Audit, _options), Stores.Retention, Audit, Clock, archive);

        var deleted = await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, deleted["archive"]);
        Assert.Equal(["new"], (await ReadAllAsync(archive, "us", new ArchiveQuery(bob, null, null, null, 0, 10))).Select(m => Encoding.UTF8.GetString(m.Payload)));
        Assert.Equal(new Dictionary<string, long> { ["eu"] = 0, ["us"] = 1 }, await archive.HeldAsync(CancellationToken.None));
        Assert.Contains("\"archive\":\"1\"", (await Stores.Audit.ReadEntriesAsync(1, CancellationToken.None).ToListAsync()).Single(e => e.Action == "privacy.retention-applied").Details, StringComparison.Ordinal);
        await stop.CancelAsync();
        await writer;
        await _regions.DisposeAsync();
    }

    [Fact]
    public async Task A_region_s_store_opened_as_another_region_s_is_refused()
    {
        var place = Stores.Provider == StorageProviders.Sqlite ? new ArchiveStoreOptions { Path = "archive-shared.db" } : new ArchiveStoreOptions { Schema = "archive_shared" };
        await using (var eu = await OpenStoreAsync("eu", place))
        {
            await eu.AppendAsync([new SealedMessage("ps-x", "d", "telemetry", Clock.GetUtcNow(), [1, 2, 3])], CancellationToken.None);
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenStoreAsync("us", place));

        Assert.Contains("not region us's", refused.Message, StringComparison.Ordinal);
        await using var again = await OpenStoreAsync("eu", place);
        Assert.Equal(1, await again.CountAsync(null, CancellationToken.None));
    }
}
