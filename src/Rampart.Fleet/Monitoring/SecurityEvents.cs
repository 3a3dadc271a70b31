namespace Rampart.Fleet.Monitoring;

/// <summary>Records security events: stored for query and published on the fleet stream.</summary>
public sealed class SecurityEvents(ISecurityEventStore store, FleetEventStream stream, TimeProvider time)
{
    /// <summary>Records an event now, on its own (an event that goes with a state change commits with it instead: <see cref="Create"/>).</summary>
    public async Task RecordAsync(
        string kind, SecuritySeverity severity, string? deviceId, string? source, IReadOnlyDictionary<string, string>? details = null,
        CancellationToken cancellationToken = default)
    {
        var securityEvent = Create(kind, severity, deviceId, source, details);
        await store.AppendAsync(securityEvent, cancellationToken);
        await stream.PublishAsync(new SecurityEventRecorded(securityEvent), cancellationToken);
    }

    /// <summary>An event stamped now, for an audited change to commit in its transaction (<see cref="Audit.AuditedOutcome{T}"/>).</summary>
    public SecurityEvent Create(string kind, SecuritySeverity severity, string? deviceId, string? source, IReadOnlyDictionary<string, string>? details = null) =>
        new(time.GetUtcNow(), kind, severity, deviceId, source, details ?? new Dictionary<string, string>());

    /// <summary>Publishes events that were committed (never before: the live stream shows only what is durable).</summary>
    public async Task PublishCommittedAsync(IReadOnlyList<SecurityEvent> events, CancellationToken cancellationToken = default)
    {
        foreach (var securityEvent in events)
        {
            await stream.PublishAsync(new SecurityEventRecorded(securityEvent), cancellationToken);
        }
    }
}
