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
using Rampart.Storage.Approvals;
using Rampart.Storage.Audit;
using Rampart.Storage.Certificates;
using Rampart.Storage.Detection;
using Rampart.Storage.Enrollment;
using Rampart.Storage.Export;
using Rampart.Storage.Inventory;
using Rampart.Storage.Monitoring;
using Rampart.Storage.Operators;
using Rampart.Storage.Posture;
using Rampart.Storage.Privacy;
using Rampart.Storage.Sql;
using Rampart.Storage.SupplyChain;
using Rampart.Storage.Updates;
using Rampart.Storage.Vendors;
using Rampart.SupplyChain.Stores;

namespace Rampart.Storage;

/// <summary>
/// Every store of one storage provider over one database: what the host registers, the tests run
/// their contracts against, and the bench measures. The stores hold no state of their own (only the
/// database), so one instance of each serves the whole process. Each aggregate's store is one class
/// over <see cref="IStoreDatabase"/>, whichever the provider; a provider adds its database, its
/// migrations and what it alone implements.
/// </summary>
public abstract class NodeStores(IStoreDatabase database) : IAsyncDisposable
{
    // One object per aggregate serves several of the interfaces below.
    private readonly AlertStore _alerts = new(database);
    private readonly ResponseStore _response = new(database);
    private readonly PrivacyStore _privacy = new(database);
    private readonly PostureStore _posture = new(database);
    private readonly SupplyChainStore _supplyChain = new(database);

    /// <summary>The provider's name, as <c>Rampart:Storage:Provider</c> spells it.</summary>
    public abstract string Provider { get; }

    /// <summary>Where the data is, for messages: a file path or host:port/database, never credentials.</summary>
    public abstract string Target { get; }

    public IAuditStore Audit { get; } = new AuditStore(database);

    public ISetupTokenStore SetupTokens { get; } = new SetupTokenStore(database);

    public ISecurityEventStore SecurityEvents { get; } = new SecurityEventStore(database);

    public IDeviceStore Devices { get; } = new DeviceStore(database);

    /// <summary>Inventory counts for the web console's overview (issue 22).</summary>
    public IFleetSummaryStore FleetSummary { get; } = new FleetSummaryStore(database);

    public ICertificateStore Certificates { get; } = new CertificateStore(database);

    public ICrlStore Crls { get; } = new CrlStore(database);

    public IBootstrapTokenStore BootstrapTokens { get; } = new BootstrapTokenStore(database);

    public IVendorTrustStore VendorTrust { get; } = new VendorTrustStore(database);

    public IUserStore Users { get; } = new UserStore(database);

    public IApiTokenStore ApiTokens { get; } = new ApiTokenStore(database);

    public IApprovalStore Approvals { get; } = new ApprovalStore(database);

    public IReleaseStore Releases { get; } = new ReleaseStore(database);

    public IRolloutStore Rollouts { get; } = new RolloutStore(database);

    /// <summary>Detection's alerts (issue 14).</summary>
    public IAlertStore Alerts => _alerts;

    /// <summary>The static rules document operators set through the API (the same store as <see cref="Alerts"/>).</summary>
    public IRuleDocumentStore DetectionRules => _alerts;

    /// <summary>The export outbox (docs/export.md).</summary>
    public IExportOutbox ExportOutbox { get; } = new ExportOutbox(database);

    /// <summary>Which node delivers each export destination when several share the outbox (issue 15).</summary>
    public IExportLeaseStore ExportLeases { get; } = new ExportLeaseStore(database);

    /// <summary>Tightened limits per device (the "tighten limits" response; issue 14).</summary>
    public ILimitOverrideStore LimitOverrides => _response;

    /// <summary>The response guard rail's containments, shared by the cluster's nodes (issue 14).</summary>
    public IContainmentBudgetStore ContainmentBudget => _response;

    /// <summary>Closed behaviour windows, bounded by age (issue 14).</summary>
    public IWindowStore BehaviourWindows { get; } = new WindowStore(database);

    /// <summary>The devices' learned baselines, kept across restarts (issue 14).</summary>
    public Rampart.Detection.Baselines.IBaselineStore Baselines { get; } = new BaselineStore(database);

    /// <summary>Data subjects, their keys, devices and consents (issue 19).</summary>
    public Rampart.Privacy.Subjects.ISubjectStore Subjects => _privacy;

    /// <summary>Retention periods and their enforcement (issue 19; the same store as <see cref="Subjects"/>).</summary>
    public Rampart.Privacy.Retention.IRetentionStore Retention => _privacy;

    /// <summary>The live schema, for the record of processing (issue 19; the same store as <see cref="Subjects"/>).</summary>
    public Rampart.Privacy.Classification.IStoredColumns StoredColumns => _privacy;

    /// <summary>The passive network inventory (issue 21 item 5, docs/network-visibility.md).</summary>
    public Rampart.Network.Inventory.INetworkStore Network { get; } = new Rampart.Storage.Network.NetworkStore(database);

    /// <summary>Device PSKs, legacy secrets and legacy flags (issue 21, docs/adapters.md).</summary>
    public IDeviceCredentialStore DeviceCredentials { get; } = new DeviceCredentialStore(database);

    /// <summary>Commands held for HTTPS/CoAP devices between their links (issue 21, migration 0034).</summary>
    public Rampart.Adapters.Links.IHeldCommandStore HeldCommands { get; } = new HeldCommandStore(database);
    /// <summary>Fleet posture's device models (issue 18; the stores below are one object per provider).</summary>
    public Rampart.Posture.Models.IDeviceModelStore DeviceModels => _posture;

    /// <summary>The last posture each device reported.</summary>
    public Rampart.Posture.Evidence.IPostureReportStore PostureReports => _posture;

    /// <summary>Devices confined to the confined zone.</summary>
    public Rampart.Posture.Zones.IConfinementStore Confinements => _posture;

    /// <summary>Fleet audit runs, suppressions and posture snapshots.</summary>
    public Rampart.Posture.FleetAudit.IFleetAuditStore FleetAudits => _posture;

    /// <summary>Bulk reads for whole-fleet posture evaluation.</summary>
    public Rampart.Posture.Evidence.IFleetEvidenceReader FleetEvidence => _posture;

    /// <summary>Indexed reads of one device's posture evidence (baseline evaluate --device).</summary>
    public Rampart.Posture.Evidence.IDeviceEvidenceReader DeviceEvidence { get; } = new DeviceEvidenceReader(database);
    /// <summary>Supply chain's SBOMs per release and model (issue 17).</summary>
    public ISbomStore Sboms => _supplyChain;

    /// <summary>Supply chain's vulnerability records (the same store as <see cref="Sboms"/>).</summary>
    public IVulnerabilityStore Vulnerabilities => _supplyChain;

    /// <summary>Supply chain's VEX statements.</summary>
    public IVexStore Vex => _supplyChain;

    /// <summary>Supply chain's last computed exposure.</summary>
    public IExposureStore Exposure => _supplyChain;

    /// <summary>Supply chain's outstanding attestation challenges, shared by the cluster (issue 17 item 8).</summary>
    public IAttestationChallengeStore AttestationChallenges { get; } = new Rampart.Storage.SupplyChain.AttestationChallengeStore(database);

    /// <summary>Supply chain's copy of CISA's Known Exploited Vulnerabilities catalog (migration 0032).</summary>
    public IKnownExploitedStore KnownExploited { get; } = new Rampart.Storage.SupplyChain.KnownExploitedStore(database);

    /// <summary>The TUF repository's files, which a cluster shares (issue 15 item 6, migration 0038); a SQLite node keeps them in DATA/tuf.</summary>
    public TufFileStore TufFiles { get; } = new(database);

    /// <summary>The next leaf of the LMS key with identifier <paramref name="identifier"/> in the database (migration 0038); a SQLite node keeps it in a file.</summary>
    public LmsStateStore LmsState(ReadOnlySpan<byte> identifier) => LmsStateStore.For(database, identifier);

    /// <summary>Persistent MQTT sessions (issue 15, migration 0019).</summary>
    public abstract Rampart.Mqtt.Broker.Persistence.IMqttSessionStore MqttSessions { get; }

    /// <summary>Retained MQTT messages beyond the process (migration 0030).</summary>
    public Rampart.Mqtt.Broker.Persistence.IRetainedMessageStore RetainedMessages { get; } = new Sessions.RetainedMessageStore(database);

    /// <summary>Brings the schema up to date (this provider's history); returns how many migrations this call applied.</summary>
    public abstract Task<int> MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The applied schema version and the one this build expects.</summary>
    public abstract Task<(int Current, int Latest)> SchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>True when a trivial query answers: what <c>/readyz</c> asks first.</summary>
    public abstract Task<bool> IsReachableAsync(CancellationToken cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
