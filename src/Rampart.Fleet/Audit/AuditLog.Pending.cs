using Rampart.Fleet.Monitoring;

namespace Rampart.Fleet.Audit;

public sealed partial class AuditLog
{
    /// <summary>One queued unit: a plain record, or a work whose records it decides in the transaction.</summary>
    private abstract class PendingUnit
    {
        public virtual bool HasWork => false;

        public virtual IReadOnlyList<AuditRecord> Records => [];

        public virtual ValueTask<(IReadOnlyList<AuditRecord> Records, IReadOnlyList<SecurityEvent> Events, bool Discarded)> RunAsync(IStoreTransaction transaction) =>
            throw new InvalidOperationException("a plain append has no work");

        public abstract void Complete(IReadOnlyList<AuditEntry> entries);

        public abstract void Fail(Exception exception);
    }

    private sealed class PendingAppend(AuditRecord record) : PendingUnit
    {
        public TaskCompletionSource<AuditEntry> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override IReadOnlyList<AuditRecord> Records { get; } = [record];

        public override void Complete(IReadOnlyList<AuditEntry> entries) => Completion.TrySetResult(entries[0]);

        public override void Fail(Exception exception) => Completion.TrySetException(exception);
    }

    private sealed class PendingWork<T>(AuditedWork<T> work) : PendingUnit
    {
        private AuditedOutcome<T>? _outcome;

        public TaskCompletionSource<AuditedOutcome<T>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool HasWork => true;

        public override async ValueTask<(IReadOnlyList<AuditRecord> Records, IReadOnlyList<SecurityEvent> Events, bool Discarded)> RunAsync(IStoreTransaction transaction)
        {
            // Not cancellable: once the batch runs, a work either completes inside it or throws.
            _outcome = await work(transaction, CancellationToken.None);
            return (_outcome.Records, _outcome.Events, _outcome.Discarded);
        }

        public override void Complete(IReadOnlyList<AuditEntry> entries) => Completion.TrySetResult(_outcome!);

        public override void Fail(Exception exception) => Completion.TrySetException(exception);
    }
}
