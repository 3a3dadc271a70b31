namespace Rampart.Fleet.Inventory;

/// <summary>A page of the inventory in id order: ids after <see cref="After"/>, at most <see cref="Limit"/>.</summary>
/// <param name="Sites">When not empty, only devices at these sites (an operator's scope).</param>
/// <param name="Zones">When not empty, only devices in these zones.</param>
/// <param name="Model">When set, only devices of this model.</param>
/// <param name="Tag">When set, only devices carrying this tag.</param>
/// <param name="Risk">When set, only devices whose risk band (low, medium, high, critical) was this at the last fleet audit run.</param>
public sealed record DeviceQuery(
    string? After = null, int Limit = 100, DeviceState? State = null, IReadOnlyList<string>? Sites = null, IReadOnlyList<string>? Zones = null,
    string? Model = null, string? Tag = null, string? Risk = null)
{
    /// <summary>Largest page.</summary>
    public const int MaxLimit = 1000;
}
