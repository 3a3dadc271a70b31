using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Secrets;
using Rampart.Fleet.Vendors;
using Rampart.Server.Keys;
using Rampart.Storage.Approvals;
using Rampart.Storage.Audit;
using Rampart.Storage.Certificates;
using Rampart.Storage.Enrollment;
using Rampart.Storage.Inventory;
using Rampart.Storage.Monitoring;
using Rampart.Storage.Operators;
using Rampart.Storage.Sqlite;
using Rampart.Storage.Vendors;

namespace Rampart.Server.Hosting;

/// <summary>The services every node operation needs, online (<c>serve</c>) or offline (admin commands on a stopped node).</summary>
public static class CoreServiceCollectionExtensions
{
    /// <summary>Storage, audit log, CA, inventory, enrollment and revocation over one database and keyring.</summary>
    public static IServiceCollection AddRampartCore(this IServiceCollection services, SqliteDatabase database, NodeKeyring keys)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(database);
        services.AddSingleton(keys.AuditKey);
        services.AddSingleton(keys.Authority);
        services.AddRampartSettings();

        // Audit and setup.
        services.AddSingleton<IAuditStore, SqliteAuditStore>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<IAuditLog>(provider => provider.GetRequiredService<AuditLog>());
        services.AddSingleton<ISetupTokenStore, SqliteSetupTokenStore>();
        services.AddSingleton<SetupTokenService>();

        // Monitoring.
        services.AddSingleton<FleetEventStream>();
        services.AddSingleton<ISecurityEventStore, SqliteSecurityEventStore>();
        services.AddSingleton<SecurityEvents>();

        // Inventory, certificates, enrollment.
        services.AddSingleton<IDeviceStore, SqliteDeviceStore>();
        services.AddSingleton<ICertificateStore, SqliteCertificateStore>();
        services.AddSingleton<ICrlStore, SqliteCrlStore>();
        services.AddSingleton<IBootstrapTokenStore, SqliteBootstrapTokenStore>();
        services.AddSingleton<IVendorTrustStore, SqliteVendorTrustStore>();
        services.AddSingleton<CertificateIssuer>();
        services.AddSingleton<CrlPublisher>();
        services.AddSingleton<RevocationService>();
        services.AddSingleton<BootstrapTokens>();
        services.AddSingleton<InventoryService>();
        services.AddSingleton<VendorTrustService>();
        services.AddSingleton<ServiceCertificates>();
        services.AddSingleton<IEnrollmentAuthorizer, DeviceCertificateAuthorizer>();
        services.AddSingleton<IEnrollmentAuthorizer, BootstrapTokenAuthorizer>();
        services.AddSingleton<IEnrollmentAuthorizer, FactoryCertificateAuthorizer>();
        services.AddSingleton<EnrollmentService>();

        // Operators and four-eyes approvals.
        services.AddSingleton(new SecretBox(keys.SecretBoxKey));
        services.AddSingleton<IUserStore, SqliteUserStore>();
        services.AddSingleton<IApiTokenStore, SqliteApiTokenStore>();
        services.AddSingleton<IApprovalStore, SqliteApprovalStore>();
        services.AddSingleton<UserService>();
        services.AddSingleton<ApiTokenService>();
        services.AddSingleton<BulkRevocation>();
        services.AddSingleton<IApprovableOperation>(provider => provider.GetRequiredService<BulkRevocation>());
        services.AddSingleton<ApprovalService>();
        return services;
    }
}
