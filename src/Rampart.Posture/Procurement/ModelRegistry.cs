using System.Globalization;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Posture.Models;

namespace Rampart.Posture.Procurement;

/// <summary>
/// <c>rampart model add|list|show|evaluate</c>: parses and validates a model file, runs the procurement
/// gate on it and records model and verdict in one audited transaction. A refused model is recorded too:
/// its devices are then refused enrollment with the provisions it failed.
/// </summary>
public sealed class ModelRegistry(IDeviceModelStore store, IAuditLog audit, TimeProvider time)
{
    /// <summary>Parses, validates and judges a model file without recording anything.</summary>
    public (DeviceModel Model, Admission Admission) Evaluate(ReadOnlySpan<byte> content)
    {
        var model = Parse(content);
        return (model, ProcurementGate.Evaluate(model, time.GetUtcNow()));
    }

    /// <summary>Adds (or replaces) a model with the gate's verdict.</summary>
    public async Task<ModelRecord> AddAsync(byte[] content, string actor, CancellationToken cancellationToken)
    {
        var (model, admission) = Evaluate(content);
        var record = new ModelRecord(model, admission, actor, time.GetUtcNow());
        var details = new Dictionary<string, string>
        {
            ["vendor"] = model.Vendor,
            ["model"] = model.Model,
            ["admitted"] = admission.Admitted ? "true" : "false",
            ["not-assessable"] = admission.NotAssessable.Count.ToString(CultureInfo.InvariantCulture),
        };
        if (!admission.Admitted)
        {
            details["failed"] = admission.FailedSummary;
        }

        await audit.CommitAsync(async (transaction, commit) =>
        {
            var added = await store.PutAsync(transaction, record, commit);
            return AuditedOutcome<bool>.Done(added, new AuditRecord(actor, added ? "posture.model-added" : "posture.model-replaced", $"model/{model.Key}", AuditOutcome.Success, details));
        }, cancellationToken);
        return record;
    }

    /// <summary>The model, or a not-found refusal.</summary>
    public async Task<ModelRecord> GetAsync(string key, CancellationToken cancellationToken) =>
        (key.Length <= 2 * 128 + 1 ? await store.GetAsync(key, cancellationToken) : null)
        ?? throw new FleetException(FleetErrorKind.NotFound, $"no model {Echo.Of(key)} (models are named vendor/model)");

    /// <summary>Every registered model.</summary>
    public Task<IReadOnlyList<ModelRecord>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    private static DeviceModel Parse(ReadOnlySpan<byte> content)
    {
        try
        {
            return DeviceModelDocument.Parse(content);
        }
        catch (DeviceModelException exception)
        {
            throw new FleetException(FleetErrorKind.Invalid, exception.Message);
        }
    }
}
