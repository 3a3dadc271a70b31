namespace Rampart.Fleet.Monitoring;

/// <summary>Something the rest of the node must act on at once.</summary>
public abstract record FleetEvent(DateTimeOffset Time);

/// <summary>A device's right to connect changed: its live sessions must follow (threat model, "Revocation is immediate").</summary>
public sealed record DeviceAccessChanged(DateTimeOffset Time, string DeviceId, DeviceAccessChange Change, string Reason)
    : FleetEvent(Time);

/// <summary>A certificate was revoked: sessions authenticated with it must end.</summary>
/// <param name="Profile"><c>device</c>, <c>service</c> or <c>server</c>.</param>
/// <param name="Subject">The device id or service name.</param>
public sealed record CertificateRevoked(DateTimeOffset Time, string Serial, string Profile, string Subject, string Reason)
    : FleetEvent(Time);

/// <summary>A security event, as recorded.</summary>
public sealed record SecurityEventRecorded(SecurityEvent Event) : FleetEvent(Event.Time);
