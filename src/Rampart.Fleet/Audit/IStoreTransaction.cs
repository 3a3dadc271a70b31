namespace Rampart.Fleet.Audit;

/// <summary>
/// One open durable transaction of the node's store, handed to the work of an audited change
/// (<see cref="IAuditLog.CommitAsync{T}"/>). Store methods that take it write inside that
/// transaction, so the change and its audit entry commit together or not at all. Fleet never looks
/// inside; each storage provider hands out and accepts only its own.
/// </summary>
public interface IStoreTransaction
{
    /// <summary>The time the transaction's batch is stamped with (every entry of one batch shares it).</summary>
    DateTimeOffset Now { get; }
}
