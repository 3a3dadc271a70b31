namespace Rampart.Fleet.Monitoring;

/// <summary>Where security events are kept for query and retention.</summary>
public interface ISecurityEventStore
{
    /// <summary>Stores one event.</summary>
    Task AppendAsync(SecurityEvent securityEvent, CancellationToken cancellationToken);

    /// <summary>Stores several events in one transaction (the gateway's event tap writes in batches).</summary>
    Task AppendManyAsync(IReadOnlyList<SecurityEvent> events, CancellationToken cancellationToken);

    /// <summary>The newest events first, optionally for one device.</summary>
    Task<IReadOnlyList<StoredSecurityEvent>> ListAsync(string? deviceId, int limit, CancellationToken cancellationToken);

    /// <summary>Events stored after <paramref name="afterId"/>, oldest first (for following the stream).</summary>
    Task<IReadOnlyList<StoredSecurityEvent>> ListAfterAsync(long afterId, string? deviceId, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes events older than <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}

/// <summary>A stored event with its id, which orders events and lets a reader continue where it stopped.</summary>
public sealed record StoredSecurityEvent(long Id, SecurityEvent Event);
