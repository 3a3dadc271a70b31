using Microsoft.Extensions.Hosting;
using Rampart.Fleet.Audit;

namespace Rampart.Server.Audit;

/// <summary>
/// Starts the audit writer before every other service. It is stopped by the node itself after the
/// host has stopped (<see cref="Hosting.RampartNode.DisposeAsync"/>), so services and requests that
/// finish during shutdown can still record.
/// </summary>
internal sealed class AuditLogHostedService(AuditLog auditLog) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => auditLog.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
