namespace Rampart.Fleet.Inventory;

/// <summary>One device in the inventory. <see cref="Id"/> is immutable and bound to every certificate it gets.</summary>
public sealed record Device(
    string Id,
    string? Model,
    string? Vendor,
    string? HardwareRevision,
    string? FirmwareVersion,
    string? Site,
    string? Zone,
    IReadOnlyList<string> Tags,
    DeviceState State,
    DateOnly? SupportUntil,
    DateTimeOffset Created,
    DateTimeOffset Updated);
