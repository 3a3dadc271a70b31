using System.Collections.Concurrent;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Permissions;

namespace Rampart.Posture.Zones;

/// <summary>
/// The gateway's view of zones: which devices are confined now (loaded at start, changed by
/// <see cref="ConfinementService"/>), the confined template they connect with, and each connected device's
/// effective zone when it is restricted (its inventory zone is learnt when it connects, confinement moves it
/// to the confined zone), which <see cref="ZoneDeliveryFilter"/> reads on every delivery.
/// </summary>
public sealed class ConfinedTemplates(ZoneOptions options) : IDeviceTemplatePolicy
{
    /// <summary>A confined device publishes telemetry only and takes commands only (no config, events or state).</summary>
    public static PermissionTemplate Confined { get; } = new(["devices/{id}/telemetry/#"], ["devices/{id}/commands/#"]);

    private readonly ZonePolicy _policy = options.ToPolicy();
    private readonly ConcurrentDictionary<string, byte> _confined = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _inventoryZones = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ZoneRule> _restricted = new(StringComparer.Ordinal);

    /// <summary>The zone policy in force.</summary>
    public ZonePolicy Policy => _policy;

    public bool IsConfined(string deviceId) => _confined.ContainsKey(deviceId);

    /// <summary>The devices confined now, as this node knows them (a snapshot).</summary>
    public IReadOnlyCollection<string> ConfinedDevices => [.. _confined.Keys];

    /// <summary>The device's inventory zone as last learnt here (null: none, or not learnt).</summary>
    public string? InventoryZoneOf(string deviceId) => _inventoryZones.GetValueOrDefault(deviceId);

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

        Refresh(deviceId);
    }

    /// <summary>
    /// Told the device id whenever its inventory zone is learnt (at CONNECT, or moved by an operator), so the
    /// gateway applies the zone's message rate from the connection's first message.
    /// </summary>
    public event Action<string>? ZoneLearnt;

    /// <summary>The template of an active device, asked when it connects: learns its inventory zone too.</summary>
    public PermissionTemplate? TemplateFor(Device device)
    {
        Learn(device.Id, device.Zone);
        return IsConfined(device.Id) ? Confined : null;
    }

    /// <summary>Learns the device's inventory zone now (a committed move between inventory zones).</summary>
    public void Learn(string deviceId, string? zone)
    {
        if (zone is not null)
        {
            _inventoryZones[deviceId] = zone;
        }
        else
        {
            _inventoryZones.TryRemove(deviceId, out _);
        }

        Refresh(deviceId);
        ZoneLearnt?.Invoke(deviceId);
    }

    /// <inheritdoc />
    public PermissionTemplate? LiveTemplateFor(string deviceId) => IsConfined(deviceId) ? Confined : null;

    /// <summary>The device's zone now: the confined zone while confined, else its inventory zone as last seen (null: none known).</summary>
    public string? EffectiveZone(string deviceId) => _policy.EffectiveZone(_inventoryZones.GetValueOrDefault(deviceId), IsConfined(deviceId));

    /// <summary>The rule of the restricted zone the device is in now, or null (not restricted, or not known to the gateway).</summary>
    public ZoneRule? RestrictedZoneOf(ReadOnlySpan<char> deviceId) =>
        !_restricted.IsEmpty && _restricted.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(deviceId, out var rule) ? rule : null;

    private void Refresh(string deviceId)
    {
        if (EffectiveZone(deviceId) is { } zone && _policy.Zones.TryGetValue(zone, out var rule) && rule.Restricted)
        {
            _restricted[deviceId] = rule;
        }
        else
        {
            _restricted.TryRemove(deviceId, out _);
        }
    }
}
