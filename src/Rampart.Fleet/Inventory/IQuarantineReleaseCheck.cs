namespace Rampart.Fleet.Inventory;

/// <summary>
/// The proof a quarantined device must give before it is released (issue 14, item 5): every release
/// path — <c>rampart device release</c>, <c>rampart alerts release</c>, their API endpoints — hands
/// <see cref="InventoryService.ReleaseAsync"/> the one check the host runs, so none can skip it.
/// </summary>
public interface IQuarantineReleaseCheck
{
    /// <summary>What the device showed (recorded in the <c>device.released</c> audit entry); throws a conflict naming what is missing.</summary>
    Task<string> ProveAsync(Device device, CancellationToken cancellationToken);
}
