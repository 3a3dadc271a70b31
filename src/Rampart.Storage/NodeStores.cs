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
using Rampart.SupplyChain.Stores;

namespace Rampart.Storage;

/// <summary>
/// Every store of one storage provider over one database: what the host registers, the tests run
/// their contracts against, and the bench measures. The stores hold no state of their own (only the
/// database), so one instance of each serves the whole process.
/// </summary>
public abstract class NodeStores : IAsyncDisposable
{
    /// <summary>The provider's name, as <c>Rampart:Storage:Provider</c> spells it.</summary>
    public abstract string Provider { get; }

    /// <summary>Where the data is, for messages: a file path or host:port/database, never credentials.</summary>
    public abstract string Target { get; }

    public abstract IAuditStore Audit { get; }

    public abstract ISetupTokenStore SetupTokens { get; }

    public abstract ISecurityEventStore SecurityEvents { get; }

    public abstract IDeviceStore Devices { get; }

    /// <summary>Inventory counts for the web console's overview (issue 22).</summary>
    public abstract IFleetSummaryStore FleetSummary { get; }

    public abstract ICertificateStore Certificates { get; }

    public abstract ICrlStore Crls { get; }

    public abstract IBootstrapTokenStore BootstrapTokens { get; }

    public abstract IVendorTrustStore VendorTrust { get; }

    public abstract IUserStore Users { get; }

    public abstract IApiTokenStore ApiTokens { get; }

    public abstract IApprovalStore Approvals { get; }

    public abstract IReleaseStore Releases { get; }

    public abstract IRolloutStore Rollouts { get; }

    /// <summary>Detection's alerts (issue 14).</summary>
    public abstract IAlertStore Alerts { get; }

    /// <summary>The static rules document operators set through the API (the same store as <see cref="Alerts"/>).</summary>
    public abstract IRuleDocumentStore DetectionRules { get; }

    /// <summary>The export outbox (docs/export.md).</summary>
    public abstract IExportOutbox ExportOutbox { get; }

    /// <summary>Tightened limits per device (the "tighten limits" response; issue 14).</summary>
    public abstract ILimitOverrideStore LimitOverrides { get; }

    /// <summary>The response guard rail's containments, shared by the cluster's nodes (issue 14).</summary>
    public abstract IContainmentBudgetStore ContainmentBudget { get; }

    /// <summary>Closed behaviour windows, bounded by age (issue 14).</summary>
    public abstract IWindowStore BehaviourWindows { get; }

    /// <summary>The devices' learned baselines, kept across restarts (issue 14).</summary>
    public abstract Rampart.Detection.Baselines.IBaselineStore Baselines { get; }

    /// <summary>Data subjects, their keys, devices and consents (issue 19).</summary>
    public abstract Rampart.Privacy.Subjects.ISubjectStore Subjects { get; }

    /// <summary>Retention periods and their enforcement (issue 19; the same store as <see cref="Subjects"/>).</summary>
    public abstract Rampart.Privacy.Retention.IRetentionStore Retention { get; }

    /// <summary>The live schema, for the record of processing (issue 19; the same store as <see cref="Subjects"/>).</summary>
    public abstract Rampart.Privacy.Classification.IStoredColumns StoredColumns { get; }

    /// <summary>Device PSKs, legacy secrets and legacy flags (issue 21, docs/adapters.md).</summary>
    public abstract IDeviceCredentialStore DeviceCredentials { get; }
    /// <summary>Fleet posture's device models (issue 18; the stores below are one object per provider).</summary>
    public abstract Rampart.Posture.Models.IDeviceModelStore DeviceModels { get; }

    /// <summary>The last posture each device reported.</summary>
    public abstract Rampart.Posture.Evidence.IPostureReportStore PostureReports { get; }

    /// <summary>Devices confined to the confined zone.</summary>
    public abstract Rampart.Posture.Zones.IConfinementStore Confinements { get; }

    /// <summary>Fleet audit runs, suppressions and posture snapshots.</summary>
    public abstract Rampart.Posture.FleetAudit.IFleetAuditStore FleetAudits { get; }

    /// <summary>Bulk reads for whole-fleet posture evaluation.</summary>
    public abstract Rampart.Posture.Evidence.IFleetEvidenceReader FleetEvidence { get; }
    /// <summary>Supply chain's SBOMs per release and model (issue 17).</summary>
    public abstract ISbomStore Sboms { get; }

    /// <summary>Supply chain's vulnerability records (the same store as <see cref="Sboms"/>).</summary>
    public abstract IVulnerabilityStore Vulnerabilities { get; }

    /// <summary>Supply chain's VEX statements.</summary>
    public abstract IVexStore Vex { get; }

    /// <summary>Supply chain's last computed exposure.</summary>
    public abstract IExposureStore Exposure { get; }

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
