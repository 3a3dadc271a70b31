namespace Rampart.Fleet.Inventory;

/// <summary>A device's lifecycle: registered → active → quarantined ⇄ active → retired (final).</summary>
public enum DeviceState
{
    /// <summary>Known to the inventory, no certificate yet.</summary>
    Registered,

    /// <summary>Enrolled: holds a certificate.</summary>
    Active,

    /// <summary>Confined: may only report its state until released.</summary>
    Quarantined,

    /// <summary>Out of service for good; its id is never reused.</summary>
    Retired,
}
