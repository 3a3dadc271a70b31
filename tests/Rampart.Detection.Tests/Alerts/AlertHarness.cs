using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;
using Rampart.Storage.Audit;
using Rampart.Storage.Detection;
using Rampart.Storage.Migrations;
using Rampart.Storage.Monitoring;
using Rampart.Storage.Sqlite;
using Rampart.Testing;

namespace Rampart.Detection.Tests.Alerts;

/// <summary>Alerts over the real pieces: a migrated SQLite database, the audit log writer, the event store and stream.</summary>
internal sealed class AlertHarness : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly AuditSigningKey _key = new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    private AlertHarness(TempDirectory directory, SqliteDatabase database)
    {
        _directory = directory;
        Database = database;
        AuditStore = new SqliteAuditStore(database);
        Audit = new AuditLog(AuditStore, _key, Clock, Options.Create(new AuditOptions()), NullLogger<AuditLog>.Instance);
        EventStore = new SqliteSecurityEventStore(database);
        Events = new SecurityEvents(EventStore, Stream, Clock);
        Store = new SqliteAlertStore(database);
        Alerts = new AlertService(Store, Audit, Events, Meter);
        Subscription = Stream.Subscribe();
    }

    public ManualTimeProvider Clock { get; } = new();

    public SqliteDatabase Database { get; }

    public SqliteAuditStore AuditStore { get; }

    public AuditLog Audit { get; }

    public SqliteSecurityEventStore EventStore { get; }

    public FleetEventStream Stream { get; } = new();

    public FleetEventSubscription Subscription { get; }

    public SecurityEvents Events { get; }

    public SqliteAlertStore Store { get; }

    public DetectionMeter Meter { get; } = new();

    public AlertService Alerts { get; }

    public static async Task<AlertHarness> StartAsync()
    {
        var directory = new TempDirectory();
        var database = new SqliteDatabase(directory.Sub("node.db"));
        await new MigrationRunner(database).ApplyAsync();
        var harness = new AlertHarness(directory, database);
        await harness.Audit.StartAsync(CancellationToken.None);
        return harness;
    }

    public Finding Finding(string device, string detector, AlertSeverity severity = AlertSeverity.High, string summary = "bytes-in 40000 far above") =>
        new(detector, device, severity, summary, new Dictionary<string, string> { ["value"] = "40000" }, Clock.GetUtcNow());

    /// <summary>Security events published so far (drained from the stream).</summary>
    public List<SecurityEvent> Published()
    {
        var events = new List<SecurityEvent>();
        while (Subscription.Events.TryRead(out var next))
        {
            if (next is SecurityEventRecorded recorded)
            {
                events.Add(recorded.Event);
            }
        }

        return events;
    }

    /// <summary>The guard rail over this database (two harness budgets on one file are two nodes on one store).</summary>
    public Rampart.Detection.Response.ContainmentBudget Budget(Rampart.Detection.Response.ResponseOptions options) =>
        new(new SqliteResponseStore(Database), Audit, options, Clock);

    public async Task<List<AuditEntry>> AuditEntriesAsync()
    {
        var entries = new List<AuditEntry>();
        await foreach (var entry in AuditStore.ReadEntriesAsync(1, CancellationToken.None))
        {
            entries.Add(entry);
        }

        return entries;
    }

    public async ValueTask DisposeAsync()
    {
        await Audit.StopAsync();
        Subscription.Dispose();
        Meter.Dispose();
        _key.Dispose();
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
