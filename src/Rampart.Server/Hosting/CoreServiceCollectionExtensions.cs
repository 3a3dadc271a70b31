using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Operators;
using Rampart.Storage.Audit;
using Rampart.Storage.Operators;
using Rampart.Storage.Sqlite;

namespace Rampart.Server.Hosting;

/// <summary>The services every node operation needs, online (<c>serve</c>) or offline (admin commands on a stopped node).</summary>
public static class CoreServiceCollectionExtensions
{
    /// <summary>Storage, audit log and setup tokens over one database and audit key.</summary>
    public static IServiceCollection AddRampartCore(this IServiceCollection services, SqliteDatabase database, AuditSigningKey auditKey)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(database);
        services.AddSingleton(auditKey);
        services.AddOptions<AuditOptions>().BindConfiguration("Rampart:Audit");
        services.AddOptions<SetupTokenOptions>().BindConfiguration("Rampart:SetupToken");
        services.AddSingleton<IAuditStore, SqliteAuditStore>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<IAuditLog>(provider => provider.GetRequiredService<AuditLog>());
        services.AddSingleton<ISetupTokenStore, SqliteSetupTokenStore>();
        services.AddSingleton<SetupTokenService>();
        return services;
    }
}
