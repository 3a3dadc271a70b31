namespace Rampart.Fleet.Inventory;

/// <summary>A page of the inventory in id order: ids after <see cref="After"/>, at most <see cref="Limit"/>.</summary>
public sealed record DeviceQuery(string? After = null, int Limit = 100, DeviceState? State = null)
{
    /// <summary>Largest page.</summary>
    public const int MaxLimit = 1000;
}
