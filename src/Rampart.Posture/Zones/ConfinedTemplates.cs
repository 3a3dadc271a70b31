using System.Collections.Concurrent;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Permissions;

namespace Rampart.Posture.Zones;

/// <summary>
/// The gateway's view of confinement: which devices are confined now (kept in memory, loaded at start and
/// changed by <see cref="ConfinementService"/>), and the confined template they connect with.
/// </summary>
public sealed class ConfinedTemplates : IDeviceTemplatePolicy
{
    /// <summary>A confined device publishes telemetry only and takes commands only (no config, events or state).</summary>
    public static PermissionTemplate Confined { get; } = new(["devices/{id}/telemetry/#"], ["devices/{id}/commands/#"]);

    private readonly ConcurrentDictionary<string, byte> _confined = new(StringComparer.Ordinal);

    public bool IsConfined(string deviceId) => _confined.ContainsKey(deviceId);

    public void Set(string deviceId, bool confined)
    {
        if (confined)
        {
            _confined[deviceId] = 0;
        }
        else
        {
            _confined.TryRemove(deviceId, out _);
        }
    }

    public PermissionTemplate? TemplateFor(Device device) => IsConfined(device.Id) ? Confined : null;
}
