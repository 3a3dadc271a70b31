using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;

namespace Rampart.Fleet.Certificates;

/// <summary>Revocations made inside one audited transaction: what to commit with them and what to publish after.</summary>
public sealed record RevocationBatch(
    IReadOnlyList<IssuedCertificate> Revoked, IReadOnlyList<AuditRecord> Records, IReadOnlyList<SecurityEvent> Events, string Reason);
