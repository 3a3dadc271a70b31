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
}
