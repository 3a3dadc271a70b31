namespace Rampart.Storage.Tests.Contracts;

// Every contract once per provider. A store contract added above gets one line in each list.

public sealed class SqliteAuditChainTests : AuditChainContract<SqliteProvider>;

public sealed class SqliteInventoryStoreTests : InventoryStoreContract<SqliteProvider>;

public sealed class SqliteFleetSummaryStoreTests : FleetSummaryStoreContract<SqliteProvider>;

public sealed class SqliteCertificateStoreTests : CertificateStoreContract<SqliteProvider>;

public sealed class SqliteCredentialStoreTests : CredentialStoreContract<SqliteProvider>;

public sealed class SqliteUpdateStoreTests : UpdateStoreContract<SqliteProvider>;

public sealed class SqliteSecurityEventStoreTests : SecurityEventStoreContract<SqliteProvider>;

public sealed class SqliteAlertStoreTests : AlertStoreContract<SqliteProvider>;

public sealed class SqliteExportOutboxTests : ExportOutboxContract<SqliteProvider>;

public sealed class SqliteResponseStoreTests : ResponseStoreContract<SqliteProvider>;

public sealed class SqliteWindowStoreTests : WindowStoreContract<SqliteProvider>;
public sealed class SqlitePostureStoreTests : PostureStoreContract<SqliteProvider>;
public sealed class SqliteSupplyChainStoreTests : SupplyChainStoreContract<SqliteProvider>;

public sealed class SqliteVulnerabilityStampTests : VulnerabilityStampContract<SqliteProvider>;

public sealed class SqliteAttestationChallengeStoreTests : AttestationChallengeStoreContract<SqliteProvider>;

public sealed class PostgresAuditChainTests : AuditChainContract<PostgresProvider>;

public sealed class PostgresInventoryStoreTests : InventoryStoreContract<PostgresProvider>;

public sealed class PostgresFleetSummaryStoreTests : FleetSummaryStoreContract<PostgresProvider>;

public sealed class PostgresCertificateStoreTests : CertificateStoreContract<PostgresProvider>;

public sealed class PostgresCredentialStoreTests : CredentialStoreContract<PostgresProvider>;

public sealed class PostgresUpdateStoreTests : UpdateStoreContract<PostgresProvider>;

public sealed class PostgresSecurityEventStoreTests : SecurityEventStoreContract<PostgresProvider>;

public sealed class PostgresAlertStoreTests : AlertStoreContract<PostgresProvider>;

public sealed class PostgresExportOutboxTests : ExportOutboxContract<PostgresProvider>;

public sealed class PostgresResponseStoreTests : ResponseStoreContract<PostgresProvider>;

public sealed class PostgresWindowStoreTests : WindowStoreContract<PostgresProvider>;
public sealed class SqliteDeviceCredentialStoreTests : DeviceCredentialStoreContract<SqliteProvider>;

public sealed class PostgresDeviceCredentialStoreTests : DeviceCredentialStoreContract<PostgresProvider>;
public sealed class PostgresPostureStoreTests : PostureStoreContract<PostgresProvider>;
public sealed class PostgresSupplyChainStoreTests : SupplyChainStoreContract<PostgresProvider>;

public sealed class PostgresVulnerabilityStampTests : VulnerabilityStampContract<PostgresProvider>;

public sealed class PostgresAttestationChallengeStoreTests : AttestationChallengeStoreContract<PostgresProvider>;

public sealed class SqliteExportLeaseTests : ExportLeaseContract<SqliteProvider>;

public sealed class PostgresExportLeaseTests : ExportLeaseContract<PostgresProvider>;

public sealed class SqliteLmsStateStoreTests : LmsStateStoreContract<SqliteProvider>;

public sealed class PostgresLmsStateStoreTests : LmsStateStoreContract<PostgresProvider>;
