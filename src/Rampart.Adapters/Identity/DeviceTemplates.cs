using Rampart.Fleet.Gateway;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Permissions;

namespace Rampart.Adapters.Identity;

/// <summary>Which permission template a device gets at a front door: the gateway's, or the legacy one.</summary>
public static class DeviceTemplates
{
    /// <summary>A legacy device may only publish its telemetry: no commands, no state, no events.</summary>
    public static PermissionTemplate Legacy { get; } = new(["devices/{id}/telemetry/#"], []);

    /// <summary>
    /// The template for <paramref name="device"/> (null: it may not connect), chosen as the MQTT gateway's
    /// <see cref="Fleet.Gateway.ClientIdentityResolver"/> chooses it: an active device asks the template
    /// policies (its zone: issue 18's confined template; asking also tells the zones the device's inventory
    /// zone, which their per-message filter reads), a quarantined one gets the quarantine template. A legacy
    /// device keeps the legacy template, which is narrower than any zone's (telemetry only), but is asked too,
    /// so its zone's per-message rules hold for it.
    /// </summary>
    public static PermissionTemplate? For(Device? device, bool legacy, IEnumerable<IDeviceTemplatePolicy> policies)
    {
        if (device?.State != DeviceState.Active)
        {
            return device?.State == DeviceState.Quarantined ? PermissionTemplate.Quarantine : null;
        }

        var zoned = policies.Select(policy => policy.TemplateFor(device)).FirstOrDefault(template => template is not null);
        return legacy ? Legacy : zoned ?? PermissionTemplate.Device;
    }

    /// <summary>The refusal message for a device that may not connect.</summary>
    public static string NotActive(string deviceId, Device? device) =>
        $"device {deviceId} is {device?.State.ToString().ToLowerInvariant() ?? "unknown"}";
}
