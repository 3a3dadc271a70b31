using Rampart.Fleet.Audit;

namespace Rampart.SupplyChain.Stores;

/// <summary>One line of the last exposure computed: a vulnerability in a component of a scope, its severity and how many devices run it open.</summary>
public sealed record ExposureMark(string Key, string Vulnerability, string Component, string Severity, int Devices);

/// <summary>The last computed exposure, kept to tell what an import changed (and raise events only for that).</summary>
public interface IExposureStore : IExposureResultStore
{
    /// <summary>The last snapshot, by key.</summary>
    Task<IReadOnlyDictionary<string, ExposureMark>> SnapshotAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the snapshot inside <paramref name="transaction"/>, with the change's security events.</summary>
    Task ReplaceAsync(IStoreTransaction transaction, IReadOnlyCollection<ExposureMark> snapshot, CancellationToken cancellationToken);
}
