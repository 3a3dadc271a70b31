using Rampart.Fleet.Inventory;
using Rampart.Fleet.Permissions;

namespace Rampart.Adapters.Identity;

/// <summary>Which permission template a device gets at a front door: the gateway's, or the legacy one.</summary>
public static class DeviceTemplates
{
    /// <summary>A legacy device may only publish its telemetry: no commands, no state, no events.</summary>
    public static PermissionTemplate Legacy { get; } = new(["devices/{id}/telemetry/#"], []);

    /// <summary>The template for a device in <paramref name="state"/> (null: it may not connect), as the MQTT gateway chooses it.</summary>
    public static PermissionTemplate? For(DeviceState? state, bool legacy) => state switch
    {
        DeviceState.Active => legacy ? Legacy : PermissionTemplate.Device,
        DeviceState.Quarantined => PermissionTemplate.Quarantine,
        _ => null,
    };

    /// <summary>The refusal message for a device that may not connect.</summary>
    public static string NotActive(string deviceId, Device? device) =>
        $"device {deviceId} is {device?.State.ToString().ToLowerInvariant() ?? "unknown"}";
}
