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
using Rampart.Storage.Postgres.Adapters;
using Rampart.SupplyChain.Stores;
using Rampart.Storage.Postgres.SupplyChain;
using Rampart.Storage.Postgres.Approvals;
using Rampart.Storage.Postgres.Audit;
using Rampart.Storage.Postgres.Certificates;
using Rampart.Storage.Postgres.Detection;
using Rampart.Storage.Postgres.Enrollment;
using Rampart.Storage.Postgres.Export;
using Rampart.Storage.Postgres.Inventory;
using Rampart.Storage.Postgres.Monitoring;
using Rampart.Storage.Postgres.Operators;
using Rampart.Storage.Postgres.Updates;
using Rampart.Storage.Postgres.Vendors;

namespace Rampart.Storage.Postgres;

/// <summary>Every store on the cluster's PostgreSQL database.</summary>
public sealed class PostgresNodeStores(PostgresDatabase database) : NodeStores
{
    private readonly PostgresAlertStore _alerts = new(database);
    private readonly PostgresResponseStore _response = new(database);
    private readonly Rampart.Storage.Postgres.Privacy.PostgresPrivacyStore _privacy = new(database);
    private readonly Rampart.Storage.Postgres.Posture.PostgresPostureStore _posture = new(database);
    private readonly PostgresSupplyChainStore _supplyChain = new(database);

    /// <summary>The database (a connection pool).</summary>
    public PostgresDatabase Database { get; } = database;

    /// <inheritdoc />
    public override string Provider => StorageProviders.Postgres;

    /// <inheritdoc />
    public override string Target => Database.Target;

    /// <inheritdoc />
    public override IAuditStore Audit { get; } = new PostgresAuditStore(database);

    /// <inheritdoc />
    public override ISetupTokenStore SetupTokens { get; } = new PostgresSetupTokenStore(database);

    /// <inheritdoc />
    public override ISecurityEventStore SecurityEvents { get; } = new PostgresSecurityEventStore(database);

    /// <inheritdoc />
    public override IDeviceStore Devices { get; } = new PostgresDeviceStore(database);

    /// <inheritdoc />
    public override IFleetSummaryStore FleetSummary { get; } = new PostgresFleetSummaryStore(database);

    /// <inheritdoc />
    public override ICertificateStore Certificates { get; } = new PostgresCertificateStore(database);

    /// <inheritdoc />
    public override ICrlStore Crls { get; } = new PostgresCrlStore(database);

    /// <inheritdoc />
    public override IBootstrapTokenStore BootstrapTokens { get; } = new PostgresBootstrapTokenStore(database);

    /// <inheritdoc />
    public override IVendorTrustStore VendorTrust { get; } = new PostgresVendorTrustStore(database);

    /// <inheritdoc />
    public override IUserStore Users { get; } = new PostgresUserStore(database);

    /// <inheritdoc />
    public override IApiTokenStore ApiTokens { get; } = new PostgresApiTokenStore(database);

    /// <inheritdoc />
    public override IApprovalStore Approvals { get; } = new PostgresApprovalStore(database);

    /// <inheritdoc />
    public override IReleaseStore Releases { get; } = new PostgresReleaseStore(database);

    /// <inheritdoc />
    public override IRolloutStore Rollouts { get; } = new PostgresRolloutStore(database);

    /// <inheritdoc />
    public override IAlertStore Alerts => _alerts;

    /// <inheritdoc />
    public override IRuleDocumentStore DetectionRules => _alerts;

    /// <inheritdoc />
    public override IExportOutbox ExportOutbox { get; } = new PostgresExportOutbox(database);

    /// <inheritdoc />
    public override ILimitOverrideStore LimitOverrides => _response;

    /// <inheritdoc />
    public override IContainmentBudgetStore ContainmentBudget => _response;

    /// <inheritdoc />
    public override IWindowStore BehaviourWindows { get; } = new PostgresWindowStore(database);
    public override Rampart.Detection.Baselines.IBaselineStore Baselines { get; } = new PostgresBaselineStore(database);
    public override Rampart.Privacy.Subjects.ISubjectStore Subjects => _privacy;

    /// <inheritdoc />
    public override Rampart.Privacy.Retention.IRetentionStore Retention => _privacy;

    /// <inheritdoc />
    public override Rampart.Privacy.Classification.IStoredColumns StoredColumns => _privacy;
    public override IDeviceCredentialStore DeviceCredentials { get; } = new PostgresDeviceCredentialStore(database);
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
    public override Task<int> MigrateAsync(CancellationToken cancellationToken) => new PostgresMigrationRunner(Database).ApplyAsync(cancellationToken);

    /// <inheritdoc />
    public override async Task<(int Current, int Latest)> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        var runner = new PostgresMigrationRunner(Database);
        return (await runner.CurrentVersionAsync(cancellationToken), runner.LatestVersion);
    }

    /// <inheritdoc />
    public override Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Database.IsReachableAsync(cancellationToken);

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        await base.DisposeAsync();
    }
}
