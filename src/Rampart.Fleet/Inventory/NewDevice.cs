namespace Rampart.Fleet.Inventory;

/// <summary>What an operator says about a device when adding it.</summary>
public sealed record NewDevice(
    string Id,
    string? Model = null,
    string? Vendor = null,
    string? HardwareRevision = null,
    string? Site = null,
    string? Zone = null,
    IReadOnlyList<string>? Tags = null,
    DateOnly? SupportUntil = null);
