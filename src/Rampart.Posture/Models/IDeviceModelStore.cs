using Rampart.Fleet.Audit;

namespace Rampart.Posture.Models;

/// <summary>Registered device models. Writes run inside their audited transaction.</summary>
public interface IDeviceModelStore
{
    /// <summary>Adds the model or replaces the one with its key; true when it was new.</summary>
    Task<bool> PutAsync(IStoreTransaction transaction, ModelRecord record, CancellationToken cancellationToken);

    /// <summary>The model with this key (<c>vendor/model</c>), or null.</summary>
    Task<ModelRecord?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Every model, by key.</summary>
    Task<IReadOnlyList<ModelRecord>> ListAsync(CancellationToken cancellationToken);
}
