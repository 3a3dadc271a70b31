namespace Rampart.Fleet.Monitoring;

/// <summary>
/// Seals the personal data a security event carries (source addresses; issue 19 §1) before it is
/// stored. The event store's own writes go through a wrapper that does this; events recorded inside
/// an audited change are written by the audit log's transaction, which calls this first.
/// </summary>
public interface ISecurityEventSealer
{
    /// <summary>The event as it may be stored: personal fields sealed, or the event itself when there is nothing to seal.</summary>
    ValueTask<SecurityEvent> SealAsync(SecurityEvent securityEvent, CancellationToken cancellationToken);
}
