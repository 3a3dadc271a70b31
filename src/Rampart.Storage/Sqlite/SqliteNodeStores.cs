using Rampart.Adapters.Credentials;
using Rampart.Detection.Alerts;
using Rampart.Detection.Export;
using Rampart.Detection.Metrics;
using Rampart.Detection.Profiles;
using Rampart.Detection.Response;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Updates;
using Rampart.Fleet.Vendors;
using Rampart.Storage.Adapters;
using Rampart.SupplyChain.Stores;
using Rampart.Storage.SupplyChain;
using Rampart.Storage.Approvals;
using Rampart.Storage.Audit;
using Rampart.Storage.Certificates;
using Rampart.Storage.Detection;
using Rampart.Storage.Enrollment;
using Rampart.Storage.Export;
using Rampart.Storage.Inventory;
using Rampart.Storage.Migrations;
using Rampart.Storage.Monitoring;
using Rampart.Storage.Operators;
using Rampart.Storage.Updates;
using Rampart.Storage.Vendors;

namespace Rampart.Storage.Sqlite;

/// <summary>Every store on the node's embedded SQLite file.</summary>
public sealed class SqliteNodeStores(SqliteDatabase database) : NodeStores
{
    private readonly SqliteAlertStore _alerts = new(database);
    private readonly SqliteResponseStore _response = new(database);
    private readonly Rampart.Storage.Privacy.SqlitePrivacyStore _privacy = new(database);
    private readonly Rampart.Storage.Posture.SqlitePostureStore _posture = new(database);
    private readonly SqliteSupplyChainStore _supplyChain = new(database);

    /// <summary>The database file.</summary>
    public SqliteDatabase Database { get; } = database;

    /// <inheritdoc />
    public override string Provider => StorageProviders.Sqlite;

    /// <inheritdoc />
    public override string Target => Database.Path;

    /// <inheritdoc />
    public override IAuditStore Audit { get; } = new SqliteAuditStore(database);

    /// <inheritdoc />
    public override ISetupTokenStore SetupTokens { get; } = new SqliteSetupTokenStore(database);

    /// <inheritdoc />
    public override ISecurityEventStore SecurityEvents { get; } = new SqliteSecurityEventStore(database);

    /// <inheritdoc />
    public override IDeviceStore Devices { get; } = new SqliteDeviceStore(database);

    /// <inheritdoc />
    public override IFleetSummaryStore FleetSummary { get; } = new SqliteFleetSummaryStore(database);

    /// <inheritdoc />
    public override ICertificateStore Certificates { get; } = new SqliteCertificateStore(database);

    /// <inheritdoc />
    public override ICrlStore Crls { get; } = new SqliteCrlStore(database);

    /// <inheritdoc />
    public override IBootstrapTokenStore BootstrapTokens { get; } = new SqliteBootstrapTokenStore(database);

    /// <inheritdoc />
    public override IVendorTrustStore VendorTrust { get; } = new SqliteVendorTrustStore(database);

    /// <inheritdoc />
    public override IUserStore Users { get; } = new SqliteUserStore(database);

    /// <inheritdoc />
    public override IApiTokenStore ApiTokens { get; } = new SqliteApiTokenStore(database);

    /// <inheritdoc />
    public override IApprovalStore Approvals { get; } = new SqliteApprovalStore(database);

    /// <inheritdoc />
    public override IReleaseStore Releases { get; } = new SqliteReleaseStore(database);

    /// <inheritdoc />
    public override IRolloutStore Rollouts { get; } = new SqliteRolloutStore(database);

    /// <inheritdoc />
    public override IAlertStore Alerts => _alerts;

    /// <inheritdoc />
    public override IRuleDocumentStore DetectionRules => _alerts;

    /// <inheritdoc />
    public override IExportOutbox ExportOutbox { get; } = new SqliteExportOutbox(database);

    /// <inheritdoc />
    public override ILimitOverrideStore LimitOverrides => _response;

    /// <inheritdoc />
    public override IContainmentBudgetStore ContainmentBudget => _response;

    /// <inheritdoc />
    public override IWindowStore BehaviourWindows { get; } = new SqliteWindowStore(database);
    public override Rampart.Detection.Baselines.IBaselineStore Baselines { get; } = new SqliteBaselineStore(database);
    public override Rampart.Privacy.Subjects.ISubjectStore Subjects => _privacy;

    /// <inheritdoc />
    public override Rampart.Privacy.Retention.IRetentionStore Retention => _privacy;

    /// <inheritdoc />
    public override Rampart.Privacy.Classification.IStoredColumns StoredColumns => _privacy;
    public override IDeviceCredentialStore DeviceCredentials { get; } = new SqliteDeviceCredentialStore(database);
    public override Rampart.Posture.Models.IDeviceModelStore DeviceModels => _posture;

    /// <inheritdoc />
    public override Rampart.Posture.Evidence.IPostureReportStore PostureReports => _posture;

    /// <inheritdoc />
    public override Rampart.Posture.Zones.IConfinementStore Confinements => _posture;

    /// <inheritdoc />
    public override Rampart.Posture.FleetAudit.IFleetAuditStore FleetAudits => _posture;

    /// <inheritdoc />
    public override Rampart.Posture.Evidence.IFleetEvidenceReader FleetEvidence => _posture;
    public override ISbomStore Sboms => _supplyChain;

    /// <inheritdoc />
    public override IVulnerabilityStore Vulnerabilities => _supplyChain;

    /// <inheritdoc />
    public override IVexStore Vex => _supplyChain;

    /// <inheritdoc />
    public override IExposureStore Exposure => _supplyChain;

    /// <inheritdoc />
    public override Task<int> MigrateAsync(CancellationToken cancellationToken) => new MigrationRunner(Database).ApplyAsync(cancellationToken);

    /// <inheritdoc />
    public override async Task<(int Current, int Latest)> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        var runner = new MigrationRunner(Database);
        return (await runner.CurrentVersionAsync(cancellationToken), runner.LatestVersion);
    }

    /// <inheritdoc />
    public override Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Database.IsReachableAsync(cancellationToken);
}
