namespace Rampart.Fleet.Monitoring;

/// <summary>Where security events are kept for query and retention.</summary>
public interface ISecurityEventStore
{
    /// <summary>Stores one event.</summary>
    Task AppendAsync(SecurityEvent securityEvent, CancellationToken cancellationToken);

    /// <summary>The newest events first, optionally for one device.</summary>
    Task<IReadOnlyList<SecurityEvent>> ListAsync(string? deviceId, int limit, CancellationToken cancellationToken);
}
