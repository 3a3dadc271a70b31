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
using Rampart.Storage;

namespace Rampart.Server.Hosting;

/// <summary>The services every node operation needs, online (<c>serve</c>) or offline (admin commands on a stopped node).</summary>
public static class CoreServiceCollectionExtensions
{
    /// <summary>Storage, audit log, CA, inventory, enrollment and revocation over one provider's stores and keyring.</summary>
    public static IServiceCollection AddRampartCore(this IServiceCollection services, NodeStores stores, NodeKeyring keys)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddRampartStorage(stores);
        services.AddSingleton(keys.AuditKey);
        services.AddSingleton(keys.Authority);
        services.AddRampartSettings();

        // Audit and setup.
        services.AddSingleton<AuditLog>();
        services.AddSingleton<IAuditLog>(provider => provider.GetRequiredService<AuditLog>());
        services.AddSingleton<SetupTokenService>();

        // Monitoring.
        services.AddSingleton<FleetEventStream>();
        services.AddSingleton<SecurityEvents>();

        // Inventory, certificates, enrollment.
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
        services.AddSingleton<Fleet.Operators.Passwords.PasswordHasher>();
        services.AddSingleton<UserService>();
        services.AddSingleton<ApiTokenService>();
        services.AddSingleton<BulkRevocation>();
        services.AddSingleton<IApprovableOperation>(provider => provider.GetRequiredService<BulkRevocation>());
        services.AddSingleton<ApprovalService>();
        return services;
    }
}
