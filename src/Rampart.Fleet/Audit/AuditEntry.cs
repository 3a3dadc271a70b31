namespace Rampart.Fleet.Audit;

/// <summary>
/// One link of the audit chain as stored. <see cref="Hash"/> covers every other field,
/// including <see cref="Sequence"/> and <see cref="PreviousHash"/>, so an edit, a deletion or a
/// move of any entry breaks the chain at that entry (see <see cref="AuditHash"/>).
/// </summary>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset Time,
    string Actor,
    string Action,
    string Target,
    string Outcome,
    string Details,
    byte[] PreviousHash,
    byte[] Hash)
{
    /// <summary>The hash the first entry links to.</summary>
    public static ReadOnlySpan<byte> GenesisHash => new byte[AuditHash.Length];

    /// <summary>Recomputes the hash from the stored fields; differs from <see cref="Hash"/> after an edit.</summary>
    public byte[] ComputeHash() =>
        AuditHash.Compute(Sequence, Time, Actor, Action, Target, Outcome, Details, PreviousHash);

    internal static AuditEntry Create(long sequence, DateTimeOffset time, AuditRecord record, byte[] previousHash)
    {
        var outcome = AuditOutcomeNames.Of(record.Outcome);
        var details = AuditDetails.Serialize(record.Details);
        // Stored with millisecond precision, so hash exactly what will be read back.
        var stored = DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
        var hash = AuditHash.Compute(sequence, stored, record.Actor, record.Action, record.Target, outcome, details, previousHash);
        return new AuditEntry(sequence, stored, record.Actor, record.Action, record.Target, outcome, details, previousHash, hash);
    }
}
