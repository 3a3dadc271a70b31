using Rampart.Fleet.Approvals;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators;
using Rampart.Privacy.Archive;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Subjects;

namespace Rampart.Privacy.Requests;

/// <summary>
/// Erasure of a subject (GDPR art. 17; CPRA §1798.105), a four-eyes operation: requested by one
/// operator, carried out when a second approves. It is crypto-shredding: 1. the subject's data key is
/// destroyed, 2. its rows (sealed fields, device links, consents) are deleted, both in one audited
/// transaction recorded as <c>privacy.subject-erased</c> with the pseudonym only, so the audit chain
/// holds nothing erasure must remove and still verifies. The approval request carries the pseudonym,
/// never the subject id. The subject's archived telemetry lives in its region's store, outside that
/// transaction: it is deleted right after the key is gone (so it no longer opens whatever happens
/// next) and recorded as <c>privacy.archive-erased</c>; should the node stop in between, the rows
/// left cannot be decrypted and expire with the <c>archive</c> retention.
/// </summary>
public sealed class SubjectErasure(ISubjectStore store, IAuditLog audit, SubjectDirectory directory, TelemetryArchive? archive = null, SubjectChanges? changes = null) : IApprovableOperation
{
    /// <summary>The operation's name in approvals.</summary>
    public const string OperationName = "privacy.erase-subject";

    /// <inheritdoc />
    public string Name => OperationName;

    /// <inheritdoc />
    public string Permission => Permissions.PrivacyAdmin;

    /// <summary>Files the request; returns the approval a second person decides.</summary>
    public static Task<Approval> RequestAsync(ApprovalService approvals, string pseudonym, OperatorIdentity requester, CancellationToken cancellationToken) =>
        approvals.RequestAsync(OperationName, pseudonym, $"erase data subject {pseudonym} (crypto-shredding)", requester, cancellationToken);

    /// <inheritdoc />
    public async Task<string> ExecuteAsync(string payload, string requestedBy, string approvedBy, CancellationToken cancellationToken)
    {
        var pseudonym = payload;
        var erased = await audit.CommitAsync(async (transaction, commit) =>
        {
            var keyDestroyed = await store.DestroyKeyAsync(transaction, pseudonym, commit);
            var rows = await store.DeleteAsync(transaction, pseudonym, commit);
            if (!keyDestroyed && rows == 0)
            {
                return AuditedOutcome<int>.Nothing(-1);
            }

            return AuditedOutcome<int>.Done(rows, SubjectService.Record(approvedBy, "privacy.subject-erased", pseudonym, new()
            {
                ["requested-by"] = requestedBy, ["key-destroyed"] = keyDestroyed ? "yes" : "already", ["rows-deleted"] = rows.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }));
        }, cancellationToken);
        directory.Remove(pseudonym);
        changes?.Announce(pseudonym);
        if (erased.Value < 0)
        {
            throw new FleetException(FleetErrorKind.NotFound, $"no subject {pseudonym} (erased already?)");
        }

        var archived = archive is null ? 0 : await archive.EraseAsync(pseudonym, CancellationToken.None);
        if (archived > 0)
        {
            await audit.AppendAsync(SubjectService.Record(approvedBy, "privacy.archive-erased", pseudonym, new()
            {
                ["archived-messages-deleted"] = archived.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }), CancellationToken.None);
        }

        return $"subject {pseudonym} erased: data key destroyed, {erased.Value} rows deleted, {archived} archived messages deleted";
    }
}
