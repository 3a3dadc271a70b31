using System.Security.Cryptography;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;
using Rampart.Privacy;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Keys;
using Rampart.Privacy.Requests;
using Rampart.Privacy.Retention;
using Rampart.Privacy.Subjects;
using Rampart.Testing;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>Privacy's stores (issue 19), the same on every provider, driven through the services that use them.</summary>
public abstract class PrivacyStoreContract<TProvider> : StoreContract<TProvider>, IDisposable
    where TProvider : IStoreProvider, new()
{
    private readonly TempDirectory _keys = new();
    private readonly PrivacyOptions _options = new() { Regions = new() { ["eu"] = new() { Sites = ["berlin"] }, ["us"] = new() { Sites = ["ohio"] } } };
    private KeyFolder? _folder;

    private KeyFolder Keys => _folder ??= KeyFolder.Open(_keys.Sub("keys"));

    public void Dispose() => _keys.Dispose();

    private static Fleet.Operators.OperatorIdentity Admin(string name) =>
        new(name, Fleet.Operators.OperatorRole.Admin.Name, Fleet.Operators.OperatorRole.Admin.Permissions, [], []);

    private SubjectService Subjects(SubjectDirectory? directory = null)
    {
        var pseudonyms = new Pseudonyms(Keys.PseudonymKey);
        return new SubjectService(Stores.Subjects, Stores.Devices, Audit, new Envelope(Keys), pseudonyms, new PrivacyPolicy(_options, pseudonyms), directory ?? new SubjectDirectory());
    }

    private async Task<List<AuditEntry>> ChainAsync() => await Stores.Audit.ReadEntriesAsync(1, CancellationToken.None).ToListAsync();

    private async Task AddDeviceAsync(string id, string? site = null) =>
        await AuditedAsync(transaction => Stores.Devices.TryAddAsync(transaction, AuditChainContract<TProvider>.NewDevice(id, site), CancellationToken.None));

    [Fact]
    public async Task A_subject_reads_back_decrypted_with_devices_and_consents_and_its_routing_reaches_the_directory()
    {
        await AddDeviceAsync("thermo-1", "berlin");
        var directory = new SubjectDirectory();
        var subjects = Subjects(directory);

        var pseudonym = await subjects.AddAsync("alice@example.org", "eu", new Dictionary<string, string> { ["name"] = "Alice Example", ["ip"] = "203.0.113.77" }, "op", CancellationToken.None);
        await subjects.LinkDeviceAsync("alice@example.org", "thermo-1", "op", CancellationToken.None);
        await subjects.SetConsentAsync("alice@example.org", "analytics", true, "op", CancellationToken.None);
        await subjects.SetConsentAsync("alice@example.org", "marketing", true, "op", CancellationToken.None);
        await subjects.SetConsentAsync("alice@example.org", "marketing", false, "op", CancellationToken.None);

        var record = await subjects.GetAsync("alice@example.org", CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal(("alice@example.org", pseudonym, "eu", "Alice Example"), (record.Id, record.Pseudonym, record.Region, record.Fields["name"]));
        Assert.Equal(["thermo-1"], record.Devices);
        Assert.Equal([("analytics", true), ("marketing", false)], record.Consents.Select(c => (c.Purpose, c.Granted)));
        Assert.Equal(["analytics"], directory.Find("thermo-1")!.Consented);

        var loaded = new SubjectDirectory();
        await Subjects(loaded).LoadDirectoryAsync(CancellationToken.None);
        Assert.Equal((pseudonym, "eu"), (loaded.Find("thermo-1")!.Pseudonym, loaded.Find("thermo-1")!.Region));

        var chain = await ChainAsync();
        Assert.DoesNotContain(chain, e => $"{e.Actor} {e.Target} {e.Details}".Contains("alice", StringComparison.OrdinalIgnoreCase) || e.Details.Contains("203.0.113.77", StringComparison.Ordinal));
        Assert.Contains(chain, e => e.Action == "privacy.consent-withdrawn" && e.Target == "subject/" + pseudonym);
    }

    [Fact]
    public async Task A_device_belongs_to_one_subject_and_a_device_at_a_site_of_another_region_is_refused()
    {
        await AddDeviceAsync("d1");
        await AddDeviceAsync("ohio-1", "ohio");
        var subjects = Subjects();
        await subjects.AddAsync("a", "eu", null, "op", CancellationToken.None);
        await subjects.AddAsync("b", "eu", null, "op", CancellationToken.None);
        await subjects.LinkDeviceAsync("a", "d1", "op", CancellationToken.None);
        await subjects.LinkDeviceAsync("a", "d1", "op", CancellationToken.None);

        var taken = await Assert.ThrowsAsync<Fleet.Errors.FleetException>(() => subjects.LinkDeviceAsync("b", "d1", "op", CancellationToken.None));
        var elsewhere = await Assert.ThrowsAsync<Fleet.Errors.FleetException>(() => subjects.LinkDeviceAsync("a", "ohio-1", "op", CancellationToken.None));
        var duplicate = await Assert.ThrowsAsync<Fleet.Errors.FleetException>(() => subjects.AddAsync("a", "eu", null, "op", CancellationToken.None));
        var region = await Assert.ThrowsAsync<Fleet.Errors.FleetException>(() => subjects.AddAsync("c", "mars", null, "op", CancellationToken.None));

        Assert.Contains("another subject", taken.Message, StringComparison.Ordinal);
        Assert.Contains("region us", elsewhere.Message, StringComparison.Ordinal);
        Assert.Equal(Fleet.Errors.FleetErrorKind.Conflict, duplicate.Kind);
        Assert.Contains("not configured", region.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasure_destroys_the_key_deletes_the_rows_and_leaves_the_audit_chain_verifying()
    {
        await AddDeviceAsync("d1");
        var subjects = Subjects();
        var pseudonym = await subjects.AddAsync("bob", "eu", new Dictionary<string, string> { ["address"] = "1 Example Road" }, "op", CancellationToken.None);
        await subjects.LinkDeviceAsync("bob", "d1", "op", CancellationToken.None);
        await subjects.SetConsentAsync("bob", "support", true, "op", CancellationToken.None);
        var sealedBefore = (await Stores.Subjects.GetAsync(pseudonym, CancellationToken.None))!.Sealed;

        var result = await new SubjectErasure(Stores.Subjects, Audit, new SubjectDirectory()).ExecuteAsync(pseudonym, "alice", "carol", CancellationToken.None);

        Assert.Contains("3 rows deleted", result, StringComparison.Ordinal);
        Assert.Null(await Stores.Subjects.GetKeyAsync(pseudonym, CancellationToken.None));
        Assert.Null(await subjects.GetAsync("bob", CancellationToken.None));
        Assert.Empty(await Stores.Subjects.DevicesAsync(pseudonym, CancellationToken.None));
        Assert.Empty(await Stores.Subjects.RoutingAsync(CancellationToken.None));
        Assert.NotEmpty(sealedBefore);
        var erased = (await ChainAsync()).Single(e => e.Action == "privacy.subject-erased");
        Assert.Equal(("carol", "subject/" + pseudonym), (erased.Actor, erased.Target));
        Assert.True((await VerifyAsync()).IsIntact);
        await Assert.ThrowsAsync<Fleet.Errors.FleetException>(() => new SubjectErasure(Stores.Subjects, Audit, new SubjectDirectory()).ExecuteAsync(pseudonym, "alice", "carol", CancellationToken.None));
    }

    [Fact]
    public async Task A_kek_rotation_rewraps_every_key_without_touching_the_sealed_data_and_the_old_kek_is_gone()
    {
        var subjects = Subjects();
        for (var i = 0; i < 5; i++)
        {
            await subjects.AddAsync($"s{i}", "eu", new Dictionary<string, string> { ["name"] = $"Person {i}" }, "op", CancellationToken.None);
        }

        var sealedBefore = (await Stores.Subjects.GetAsync(subjects.PseudonymOf("s3"), CancellationToken.None))!.Sealed;
        var (version, rewrapped) = await new KekRotation(Stores.Subjects, Keys, new Envelope(Keys), Audit).RotateAsync("op", CancellationToken.None);

        Assert.Equal((2, 5), (version, rewrapped));
        Assert.Empty(await Stores.Subjects.KeysWrappedBeforeAsync(2, 10, CancellationToken.None));
        Assert.Equal(sealedBefore, (await Stores.Subjects.GetAsync(subjects.PseudonymOf("s3"), CancellationToken.None))!.Sealed);
        Assert.Equal("Person 3", (await subjects.GetAsync("s3", CancellationToken.None))!.Fields["name"]);
        Assert.Throws<CryptographicException>(() => Keys.Get(1));
        Assert.Contains((await ChainAsync()), e => e.Action == "privacy.kek-rotated" && e.Details.Contains("\"rewrapped\":\"5\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_retention_job_deletes_only_what_is_older_than_each_period_on_the_manual_clock_and_records_the_counts()
    {
        var events = Stores.SecurityEvents;
        await events.AppendAsync(new SecurityEvent(Clock.GetUtcNow(), "old", SecuritySeverity.Info, "d1", "198.51.100.1", new Dictionary<string, string>()), CancellationToken.None);
        Clock.Advance(TimeSpan.FromDays(20));
        await events.AppendAsync(new SecurityEvent(Clock.GetUtcNow(), "new", SecuritySeverity.Info, "d1", "198.51.100.2", new Dictionary<string, string>()), CancellationToken.None);
        var retention = new RetentionPolicy(Stores.Retention, Audit, new PrivacyOptions { Retention = new() { ["security-events"] = 10 } });
        var job = new RetentionJob(retention, Stores.Retention, Audit, Clock);

        var deleted = await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, deleted["security-events"]);
        Assert.Equal(["new"], (await events.ListAsync(null, 10, CancellationToken.None)).Select(e => e.Event.Kind));
        Assert.Contains("\"security-events\":\"1\"", (await ChainAsync()).Single(e => e.Action == "privacy.retention-applied").Details, StringComparison.Ordinal);
        Assert.All((await job.RunOnceAsync(CancellationToken.None)).Values, count => Assert.Equal(0, count));
        Clock.Advance(TimeSpan.FromDays(11));
        Assert.Equal(1, (await job.RunOnceAsync(CancellationToken.None))["security-events"]);
    }

    [Fact]
    public async Task Lengthening_a_retention_applies_at_once_and_shortening_it_waits_for_a_second_person()
    {
        var retention = new RetentionPolicy(Stores.Retention, Audit, new PrivacyOptions());
        var approvals = new ApprovalService(Stores.Approvals, [retention], Audit, Clock, Microsoft.Extensions.Options.Options.Create(new ApprovalOptions()));
        var alice = Admin("alice");
        var bob = Admin("bob");

        Assert.Null(await retention.SetAsync("security-events", 400, alice, approvals, CancellationToken.None));
        var request = await retention.SetAsync("security-events", 30, alice, approvals, CancellationToken.None);

        Assert.NotNull(request);
        Assert.Equal(400, (await retention.PeriodsAsync(CancellationToken.None))["security-events"]);
        await Assert.ThrowsAsync<Fleet.Errors.FleetException>(() => approvals.ApproveAsync(request.Id, alice, CancellationToken.None));
        await approvals.ApproveAsync(request.Id, bob, CancellationToken.None);
        Assert.Equal(30, (await retention.PeriodsAsync(CancellationToken.None))["security-events"]);
        await Assert.ThrowsAsync<Fleet.Errors.FleetException>(() => retention.SetAsync("security-events", 0, alice, approvals, CancellationToken.None));
        await Assert.ThrowsAsync<Fleet.Errors.FleetException>(() => retention.SetAsync("nothing", 10, alice, approvals, CancellationToken.None));
    }
}

public sealed class SqlitePrivacyStoreTests : PrivacyStoreContract<SqliteProvider>;

public sealed class PostgresPrivacyStoreTests : PrivacyStoreContract<PostgresProvider>;
