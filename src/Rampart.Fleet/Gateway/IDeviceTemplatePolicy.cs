using Rampart.Fleet.Inventory;
using Rampart.Fleet.Permissions;

namespace Rampart.Fleet.Gateway;

/// <summary>
/// Narrows an active device's permission template at connect time (issue 18: a device confined to the
/// confined zone publishes telemetry only). Null keeps <see cref="PermissionTemplate.Device"/>; a
/// quarantined device always gets <see cref="PermissionTemplate.Quarantine"/>.
/// </summary>
public interface IDeviceTemplatePolicy
{
    PermissionTemplate? TemplateFor(Device device);

    /// <summary>
    /// The template of a device already connected, from what the policy knows without the store: asked when a
    /// quarantine is released on the live session, so a confined device goes back to its zone's template and not
    /// to the full <see cref="PermissionTemplate.Device"/> (issue 18). Null keeps the device template.
    /// </summary>
    PermissionTemplate? LiveTemplateFor(string deviceId) => null;
}
