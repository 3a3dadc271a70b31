namespace Rampart.Fleet.Monitoring;

/// <summary>Something the rest of the node must act on at once.</summary>
public abstract record FleetEvent(DateTimeOffset Time);

/// <summary>A device's right to connect changed: its live sessions must follow (threat model, "Revocation is immediate").</summary>
public sealed record DeviceAccessChanged(DateTimeOffset Time, string DeviceId, DeviceAccessChange Change, string Reason)
    : FleetEvent(Time);

/// <summary>
/// A device's zone changed (issue 18: confined, released from confinement, or moved between inventory zones),
/// after the change committed: its live sessions must get the new zone's template and rate on whichever node holds
/// them (issue 15). <paramref name="Zone"/> is its inventory zone now (null: none), <paramref name="Confined"/> whether it is confined.
/// </summary>
public sealed record DeviceZoneChanged(DateTimeOffset Time, string DeviceId, string? Zone, bool Confined, string Reason)
    : FleetEvent(Time);

/// <summary>A certificate was revoked: sessions authenticated with it must end.</summary>
/// <param name="Profile"><c>device</c>, <c>service</c> or <c>server</c>.</param>
/// <param name="Subject">The device id or service name.</param>
public sealed record CertificateRevoked(DateTimeOffset Time, string Serial, string Profile, string Subject, string Reason)
    : FleetEvent(Time);

/// <summary>A security event, as recorded.</summary>
public sealed record SecurityEventRecorded(SecurityEvent Event) : FleetEvent(Event.Time);
