using Rampart.Fleet.Monitoring;

namespace Rampart.Fleet.Audit;

/// <summary>
/// What an <see cref="AuditedWork{T}"/> did: its result, the audit records and security events that
/// commit with it, and whether its writes stand. A discarded outcome rolls the work's writes back
/// (to the savepoint taken before it) and still commits its records and events: a refusal decided
/// inside the transaction is evidence too.
/// </summary>
public sealed record AuditedOutcome<T>(T Value, IReadOnlyList<AuditRecord> Records, IReadOnlyList<SecurityEvent> Events, bool Discarded)
{
    /// <summary>The writes stand, with their record and events.</summary>
    public static AuditedOutcome<T> Done(T value, AuditRecord record, params SecurityEvent[] events) => new(value, [record], events, false);

    /// <summary>The writes stand, with several records (one per changed object).</summary>
    public static AuditedOutcome<T> Done(T value, IReadOnlyList<AuditRecord> records, IReadOnlyList<SecurityEvent> events) => new(value, records, events, false);

    /// <summary>The writes are rolled back; the record (a refusal) and events are kept.</summary>
    public static AuditedOutcome<T> Refused(T value, AuditRecord record, params SecurityEvent[] events) => new(value, [record], events, true);

    /// <summary>Nothing happened and nothing is recorded (the writes, if any, are rolled back).</summary>
    public static AuditedOutcome<T> Nothing(T value) => new(value, [], [], true);
}
