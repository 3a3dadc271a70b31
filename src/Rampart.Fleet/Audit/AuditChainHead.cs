namespace Rampart.Fleet.Audit;

/// <summary>
/// Where the chain ends as the store has it, read inside the writer's transaction after the chain
/// lock is taken: the next entry follows <see cref="Sequence"/> and links to <see cref="Hash"/>.
/// </summary>
/// <param name="Sequence">The last entry's sequence number (0 for an empty log).</param>
/// <param name="Hash">The last entry's hash (the genesis hash for an empty log).</param>
/// <param name="CheckpointSequence">The entry the newest checkpoint covers (0 when none).</param>
public sealed record AuditChainHead(long Sequence, byte[] Hash, long CheckpointSequence);
