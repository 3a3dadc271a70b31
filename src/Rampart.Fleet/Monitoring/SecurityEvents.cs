namespace Rampart.Fleet.Monitoring;

/// <summary>Records security events: stored for query and published on the fleet stream.</summary>
public sealed class SecurityEvents(ISecurityEventStore store, FleetEventStream stream, TimeProvider time)
{
    /// <summary>Records an event now.</summary>
    public async Task RecordAsync(
        string kind, SecuritySeverity severity, string? deviceId, string? source, IReadOnlyDictionary<string, string>? details = null,
        CancellationToken cancellationToken = default)
    {
        var securityEvent = new SecurityEvent(time.GetUtcNow(), kind, severity, deviceId, source, details ?? new Dictionary<string, string>());
        await store.AppendAsync(securityEvent, cancellationToken);
        await stream.PublishAsync(new SecurityEventRecorded(securityEvent), cancellationToken);
    }
}
