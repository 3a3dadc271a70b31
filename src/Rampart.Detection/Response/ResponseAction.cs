namespace Rampart.Detection.Response;

/// <summary>What an automatic response does to a device.</summary>
public enum ResponseAction
{
    /// <summary>Only tell (the alert's event is the notification; exporters carry it).</summary>
    Notify,

    /// <summary>The existing permission swap: the device stays connected with the quarantine template (no reconnect needed).</summary>
    Quarantine,

    /// <summary>End the device's session now (it may reconnect; pair with quarantine to keep it out).</summary>
    Disconnect,

    /// <summary>Revoke the device's certificates: always a person's decision beyond the budget, with four eyes.</summary>
    Revoke,

    /// <summary>
    /// Lower the device's publish limits (<see cref="ResponseOptions.Tightened"/>) on its live session at
    /// once, persisted until the alert is resolved or the device released (docs/detection.md, "Tighten limits").
    /// </summary>
    TightenLimits,
}

/// <summary>What the node does to contain a device; the host implements it over the inventory, the CA and the gateway.</summary>
public interface IContainmentActions
{
    /// <summary>Quarantines the device; false when it is not active (retired, quarantined already).</summary>
    Task<bool> QuarantineAsync(string deviceId, string reason, CancellationToken cancellationToken);

    /// <summary>Revokes the device's certificates; returns the serials.</summary>
    Task<IReadOnlyList<string>> RevokeAsync(string deviceId, string reason, CancellationToken cancellationToken);

    /// <summary>Ends the device's live session; false when it had none.</summary>
    Task<bool> DisconnectAsync(string deviceId, string reason, CancellationToken cancellationToken);

    /// <summary>Tightens the device's publish limits for the alert (persisted, audited, applied live); false when they are tightened already.</summary>
    Task<bool> TightenLimitsAsync(string deviceId, long alertId, string reason, CancellationToken cancellationToken);
}
