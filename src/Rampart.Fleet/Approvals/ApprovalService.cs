using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators;

namespace Rampart.Fleet.Approvals;

/// <summary>
/// Four-eyes: 1. a person requests an operation, 2. a different person holding the same permission
/// approves or denies it before the deadline, 3. on approval it is carried out with both names in
/// the audit log. Requesters cannot approve their own requests; undecided requests expire.
/// </summary>
public sealed class ApprovalService(IApprovalStore store, IEnumerable<IApprovableOperation> operations, IAuditLog audit, TimeProvider time, IOptions<ApprovalOptions> options)
{
    private readonly Dictionary<string, IApprovableOperation> _operations = operations.ToDictionary(o => o.Name, StringComparer.Ordinal);

    /// <summary>Files a request by <paramref name="requester"/>, who must hold the operation's permission.</summary>
    public async Task<Approval> RequestAsync(string operation, string payload, string summary, OperatorIdentity requester, CancellationToken cancellationToken)
    {
        var known = Operation(operation);
        if (!requester.Has(known.Permission))
        {
            throw new FleetException(FleetErrorKind.Forbidden, $"requesting {operation} needs {known.Permission}");
        }

        var now = time.GetUtcNow();
        var approval = new Approval(0, operation, summary, payload, known.Permission, requester.Name, now, now + options.Value.Deadline, ApprovalStatus.Pending, null, null, null);
        var filed = await audit.CommitAsync(async (transaction, commit) =>
        {
            var id = await store.AddAsync(transaction, approval, commit);
            return AuditedOutcome<long>.Done(id, new AuditRecord(requester.Name, "approval.requested", $"approval/{id}", AuditOutcome.Success,
                new Dictionary<string, string> { ["operation"] = operation, ["summary"] = summary, ["expires"] = approval.Expires.ToString("O", System.Globalization.CultureInfo.InvariantCulture) }));
        }, cancellationToken);
        return approval with { Id = filed.Value };
    }

    /// <summary>Approves and carries out a request.</summary>
    public async Task<Approval> ApproveAsync(long id, OperatorIdentity approver, CancellationToken cancellationToken)
    {
        var approval = await DecidableAsync(id, approver, cancellationToken);
        // 1. The decision and its audit entry together; 2. the operation (its own audited
        // transactions); 3. its outcome with an audit entry of its own.
        await audit.CommitAsync(async (transaction, commit) =>
            await store.TryDecideAsync(transaction, id, ApprovalStatus.Executed, approver.Name, transaction.Now, null, commit)
                ? AuditedOutcome<bool>.Done(true, new AuditRecord(approver.Name, "approval.approved", $"approval/{id}", AuditOutcome.Success,
                    new Dictionary<string, string> { ["operation"] = approval.Operation, ["requested-by"] = approval.RequestedBy }))
                : throw new FleetException(FleetErrorKind.Conflict, $"approval {id} was decided meanwhile"),
            cancellationToken);
        string result;
        var status = ApprovalStatus.Executed;
        try
        {
            result = await Operation(approval.Operation).ExecuteAsync(approval.Payload, approval.RequestedBy, approver.Name, cancellationToken);
        }
        catch (FleetException exception)
        {
            (status, result) = (ApprovalStatus.Failed, exception.Message);
        }

        await audit.CommitAsync(async (transaction, commit) =>
        {
            await store.SetOutcomeAsync(transaction, id, status, result, commit);
            return AuditedOutcome<bool>.Done(true, new AuditRecord("node", "approval.completed", $"approval/{id}",
                status == ApprovalStatus.Executed ? AuditOutcome.Success : AuditOutcome.Failure,
                new Dictionary<string, string> { ["operation"] = approval.Operation, ["result"] = result.Length > 1024 ? result[..1024] : result }));
        }, CancellationToken.None);
        return (await store.GetAsync(id, cancellationToken))!;
    }

    /// <summary>Denies a request.</summary>
    public async Task<Approval> DenyAsync(long id, OperatorIdentity approver, string? reason, CancellationToken cancellationToken)
    {
        var approval = await DecidableAsync(id, approver, cancellationToken);
        await audit.CommitAsync(async (transaction, commit) =>
            await store.TryDecideAsync(transaction, id, ApprovalStatus.Denied, approver.Name, transaction.Now, reason, commit)
                ? AuditedOutcome<bool>.Done(true, new AuditRecord(approver.Name, "approval.denied", $"approval/{id}", AuditOutcome.Success,
                    new Dictionary<string, string> { ["operation"] = approval.Operation, ["reason"] = reason ?? string.Empty }))
                : throw new FleetException(FleetErrorKind.Conflict, $"approval {id} was decided meanwhile"),
            cancellationToken);
        return (await store.GetAsync(id, cancellationToken))!;
    }

    /// <summary>Requests, newest first; pending ones past their deadline are shown expired.</summary>
    public async Task<IReadOnlyList<Approval>> ListAsync(ApprovalStatus? status, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var list = await store.ListAsync(null, 500, cancellationToken);
        return list.Select(a => a.Status == ApprovalStatus.Pending && a.Expires <= now ? a with { Status = ApprovalStatus.Expired } : a)
            .Where(a => status is null || a.Status == status).ToArray();
    }

    private async Task<Approval> DecidableAsync(long id, OperatorIdentity approver, CancellationToken cancellationToken)
    {
        var approval = await store.GetAsync(id, cancellationToken) ?? throw new FleetException(FleetErrorKind.NotFound, $"no approval {id}");
        if (approval.Status != ApprovalStatus.Pending)
        {
            throw new FleetException(FleetErrorKind.Conflict, $"approval {id} is {approval.Status.ToString().ToLowerInvariant()} already");
        }

        if (approval.Expires <= time.GetUtcNow())
        {
            await audit.CommitAsync(async (transaction, commit) =>
                await store.TryDecideAsync(transaction, id, ApprovalStatus.Expired, "node", transaction.Now, "deadline passed", commit)
                    ? AuditedOutcome<bool>.Done(true, new AuditRecord("node", "approval.expired", $"approval/{id}", AuditOutcome.Success))
                    : AuditedOutcome<bool>.Nothing(false),
                cancellationToken);
            throw new FleetException(FleetErrorKind.Conflict, $"approval {id} expired at {approval.Expires:u}");
        }

        if (approval.RequestedBy == approver.Name)
        {
            await audit.AppendAsync(new AuditRecord(approver.Name, "approval.approved", $"approval/{id}", AuditOutcome.Denied,
                new Dictionary<string, string> { ["reason"] = "requester cannot decide their own request" }), cancellationToken);
            throw new FleetException(FleetErrorKind.Forbidden, "a request needs a second person: you cannot decide your own request");
        }

        if (!approver.Has(approval.Permission))
        {
            throw new FleetException(FleetErrorKind.Forbidden, $"deciding this request needs {approval.Permission}");
        }

        return approval;
    }

    private IApprovableOperation Operation(string name) =>
        _operations.TryGetValue(name, out var operation) ? operation : throw new FleetException(FleetErrorKind.Invalid, $"unknown operation {Echo.Of(name)}");
}
