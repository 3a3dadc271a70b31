namespace Rampart.Fleet.Monitoring;

/// <summary>How a device's access changed.</summary>
public enum DeviceAccessChange
{
    /// <summary>The device was retired: all its sessions end.</summary>
    Retired,

    /// <summary>The device was quarantined: its sessions lose their permissions.</summary>
    Quarantined,

    /// <summary>The device was released from quarantine.</summary>
    Released,
}
