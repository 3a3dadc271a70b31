namespace Rampart.Fleet.Audit;

/// <summary>The outcome of recomputing the audit chain and its checkpoints.</summary>
/// <param name="EntriesVerified">Entries whose hash and link verified before the first problem.</param>
/// <param name="CheckpointsVerified">Checkpoints whose signature and entry hash verified.</param>
/// <param name="FirstBadSequence">The first entry that does not verify, or null when intact.</param>
/// <param name="Problem">What is wrong with it, in words.</param>
/// <param name="MlDsa65Verified">Of the verified checkpoints, those whose ML-DSA-65 signature verified too.</param>
public sealed record AuditVerification(long EntriesVerified, int CheckpointsVerified, long? FirstBadSequence, string? Problem, int MlDsa65Verified = 0)
{
    /// <summary>True when every entry and checkpoint verified.</summary>
    public bool IsIntact => FirstBadSequence is null;
}
